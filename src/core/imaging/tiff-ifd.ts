/**
 * TIFF image file directories (IFDs): the structure of EXIF blocks and of TIFF files.
 * Read from either byte order and kept little-endian, so a directory read from a camera's
 * big-endian EXIF can be written into any output. Sub-directories (EXIF, GPS, Interop) are
 * kept as children and their pointers recreated on writing, so nothing depends on where
 * the source stored them.
 */
import type { FileHandle } from 'node:fs/promises';

export const TAG = {
  imageWidth: 0x0100,
  imageLength: 0x0101,
  orientation: 0x0112,
  xResolution: 0x011a,
  yResolution: 0x011b,
  resolutionUnit: 0x0128,
  xmp: 0x02bc,
  iptc: 0x83bb,
  iccProfile: 0x8773,
  exifIfd: 0x8769,
  gpsIfd: 0x8825,
  interopIfd: 0xa005,
  makerNote: 0x927c,
  pixelXDimension: 0xa002,
  pixelYDimension: 0xa003,
} as const;

export const TYPE = { byte: 1, ascii: 2, short: 3, long: 4, rational: 5, undefined: 7 } as const;

/** Bytes per value of each field type (index = type); 0 = unknown type. */
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];
/** Bytes reversed together when changing byte order (a RATIONAL is two LONGs). */
const SWAP_UNIT = [0, 1, 1, 2, 4, 4, 1, 1, 2, 4, 4, 4, 8, 4];

/** Tags that point at a sub-directory; read as children, not as values. */
const SUB_IFD_TAGS = new Set<number>([TAG.exifIfd, TAG.gpsIfd, TAG.interopIfd]);

const MAX_ENTRIES = 4096;
const MAX_DEPTH = 4;

export interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** The values, little-endian. */
  data: Buffer;
}

export interface Ifd {
  entries: IfdEntry[];
  /** Sub-directories keyed by the tag that points at them (EXIF, GPS, Interop). */
  children: Map<number, Ifd>;
}

/** Random access to the bytes of an EXIF block or a TIFF file. */
export interface ByteSource {
  size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

export function bufferSource(buffer: Buffer): ByteSource {
  return {
    size: buffer.length,
    read: async (offset, length) => {
      if (offset < 0 || offset + length > buffer.length) throw new RangeError(`TIFF structure points outside its data (${offset}+${length} > ${buffer.length})`);
      return buffer.subarray(offset, offset + length);
    },
  };
}

/** Reads from an open file (read-only), so a large TIFF is never loaded whole. */
export async function fileSource(handle: FileHandle): Promise<ByteSource> {
  const { size } = await handle.stat();
  return {
    size,
    read: async (offset, length) => {
      if (offset < 0 || offset + length > size) throw new RangeError(`TIFF structure points outside the file (${offset}+${length} > ${size})`);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      if (bytesRead !== length) throw new RangeError(`Short read at ${offset}`);
      return buffer;
    },
  };
}

export interface TiffHeader {
  littleEndian: boolean;
  firstIfd: number;
}

/** The 8-byte header at `offset`: byte order, magic 42, offset of the first directory. */
export async function readTiffHeader(source: ByteSource, offset = 0): Promise<TiffHeader> {
  const head = await source.read(offset, 8);
  const order = head.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') throw new Error('Not a TIFF structure (no II/MM byte order mark)');
  const littleEndian = order === 'II';
  const magic = littleEndian ? head.readUInt16LE(2) : head.readUInt16BE(2);
  if (magic !== 42) throw new Error(`Not a classic TIFF structure (magic ${magic})`);
  return { littleEndian, firstIfd: littleEndian ? head.readUInt32LE(4) : head.readUInt32BE(4) };
}

/**
 * Reads the directory at `offset` (relative to `base`, where the TIFF header starts) and
 * its sub-directories. Entries of unknown types are skipped; a broken sub-directory is
 * dropped rather than failing the whole read. Returns the offset of the next directory.
 */
export async function readIfd(source: ByteSource, header: TiffHeader, offset: number, base = 0): Promise<{ ifd: Ifd; next: number }> {
  return readIfdAt(source, header.littleEndian, offset, base, new Set(), 0);
}

async function readIfdAt(source: ByteSource, le: boolean, offset: number, base: number, visited: Set<number>, depth: number): Promise<{ ifd: Ifd; next: number }> {
  if (visited.has(offset)) throw new Error(`TIFF directory loop at offset ${offset}`);
  visited.add(offset);
  const countBytes = await source.read(base + offset, 2);
  const count = le ? countBytes.readUInt16LE(0) : countBytes.readUInt16BE(0);
  if (count > MAX_ENTRIES) throw new Error(`TIFF directory claims ${count} entries`);
  const table = await source.read(base + offset + 2, count * 12 + 4);
  const u16 = (at: number) => (le ? table.readUInt16LE(at) : table.readUInt16BE(at));
  const u32 = (at: number) => (le ? table.readUInt32LE(at) : table.readUInt32BE(at));
  const ifd: Ifd = { entries: [], children: new Map() };
  for (let i = 0; i < count; i++) {
    const at = i * 12;
    const tag = u16(at);
    const type = u16(at + 2);
    const valueCount = u32(at + 4);
    if (SUB_IFD_TAGS.has(tag)) {
      if (depth >= MAX_DEPTH) continue;
      try {
        ifd.children.set(tag, (await readIfdAt(source, le, u32(at + 8), base, visited, depth + 1)).ifd);
      } catch {
        // A damaged sub-directory costs only its own tags.
      }
      continue;
    }
    const size = TYPE_SIZE[type] ?? 0;
    if (size === 0) continue;
    const length = size * valueCount;
    if (length > source.size) continue;
    let raw: Buffer;
    if (length <= 4) raw = table.subarray(at + 8, at + 8 + length);
    else {
      try {
        raw = await source.read(base + u32(at + 8), length);
      } catch {
        continue;
      }
    }
    ifd.entries.push({ tag, type, count: valueCount, data: le ? Buffer.from(raw) : swapToLittleEndian(raw, type) });
  }
  return { ifd, next: u32(count * 12) };
}

function swapToLittleEndian(raw: Buffer, type: number): Buffer {
  const out = Buffer.from(raw);
  const unit = SWAP_UNIT[type] ?? 1;
  if (unit > 1) for (let i = 0; i + unit <= out.length; i += unit) out.subarray(i, i + unit).reverse();
  return out;
}

/**
 * Serialises `ifd` little-endian as if it starts at absolute offset `at` of its file
 * (or of its EXIF block): the directory, then its out-of-line values, then its
 * sub-directories. `next` is the offset of the following directory (0 for none).
 */
export function writeIfd(ifd: Ifd, at: number, next = 0): Buffer {
  const entries = ifd.entries.filter((e) => !SUB_IFD_TAGS.has(e.tag) && !ifd.children.has(e.tag));
  const pointers = [...ifd.children.keys()];
  const count = entries.length + pointers.length;
  const tableSize = 2 + count * 12 + 4;
  const table = Buffer.alloc(tableSize);
  const parts: Buffer[] = [table];
  let cursor = at + tableSize;
  const append = (bytes: Buffer): number => {
    if (cursor % 2 === 1) {
      parts.push(Buffer.alloc(1));
      cursor++;
    }
    const where = cursor;
    parts.push(bytes);
    cursor += bytes.length;
    return where;
  };

  const rows: Array<{ tag: number; type: number; count: number; value: Buffer | number }> = [];
  for (const entry of entries) {
    if (entry.data.length <= 4) rows.push({ tag: entry.tag, type: entry.type, count: entry.count, value: entry.data });
    else rows.push({ tag: entry.tag, type: entry.type, count: entry.count, value: append(entry.data) });
  }
  for (const tag of pointers) {
    if (cursor % 2 === 1) {
      parts.push(Buffer.alloc(1));
      cursor++;
    }
    const child = writeIfd(ifd.children.get(tag)!, cursor);
    rows.push({ tag, type: TYPE.long, count: 1, value: cursor });
    parts.push(child);
    cursor += child.length;
  }
  rows.sort((a, b) => a.tag - b.tag);
  table.writeUInt16LE(count, 0);
  rows.forEach((row, i) => {
    const o = 2 + i * 12;
    table.writeUInt16LE(row.tag, o);
    table.writeUInt16LE(row.type, o + 2);
    table.writeUInt32LE(row.count, o + 4);
    if (typeof row.value === 'number') table.writeUInt32LE(row.value, o + 8);
    else row.value.copy(table, o + 8);
  });
  table.writeUInt32LE(next, 2 + count * 12);
  return Buffer.concat(parts);
}

export function findEntry(ifd: Ifd, tag: number): IfdEntry | undefined {
  return ifd.entries.find((e) => e.tag === tag);
}

/** Adds or replaces one entry. */
export function setEntry(ifd: Ifd, entry: IfdEntry): void {
  const i = ifd.entries.findIndex((e) => e.tag === entry.tag);
  if (i >= 0) ifd.entries[i] = entry;
  else ifd.entries.push(entry);
}

export function removeEntry(ifd: Ifd, tag: number): void {
  ifd.entries = ifd.entries.filter((e) => e.tag !== tag);
}

export function shortEntry(tag: number, value: number): IfdEntry {
  const data = Buffer.alloc(2);
  data.writeUInt16LE(value);
  return { tag, type: TYPE.short, count: 1, data };
}

export function longEntry(tag: number, value: number): IfdEntry {
  const data = Buffer.alloc(4);
  data.writeUInt32LE(value);
  return { tag, type: TYPE.long, count: 1, data };
}

export function rationalEntry(tag: number, numerator: number, denominator: number): IfdEntry {
  const data = Buffer.alloc(8);
  data.writeUInt32LE(numerator, 0);
  data.writeUInt32LE(denominator, 4);
  return { tag, type: TYPE.rational, count: 1, data };
}

export function undefinedEntry(tag: number, bytes: Buffer): IfdEntry {
  return { tag, type: TYPE.undefined, count: bytes.length, data: Buffer.from(bytes) };
}

/** The first value of a SHORT or LONG entry. */
export function entryNumber(entry: IfdEntry): number | undefined {
  if (entry.type === TYPE.short && entry.data.length >= 2) return entry.data.readUInt16LE(0);
  if (entry.type === TYPE.long && entry.data.length >= 4) return entry.data.readUInt32LE(0);
  return undefined;
}

/** A deep copy, so preparing one output never changes the metadata shared by others. */
export function cloneIfd(ifd: Ifd): Ifd {
  return {
    entries: ifd.entries.map((e) => ({ ...e, data: Buffer.from(e.data) })),
    children: new Map([...ifd.children].map(([tag, child]) => [tag, cloneIfd(child)])),
  };
}
