/**
 * Adds EXIF (eXIf), IPTC (a "Raw profile type iptc" zTXt chunk) and the source's text
 * chunks to a PNG that sharp encoded from raw pixels. sharp writes iCCP and the XMP text
 * chunk itself. New chunks go before the first IDAT, where eXIf must be.
 */
import { crc32, deflateSync } from 'node:zlib';
import { pngRawProfileText } from './iptc-block.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngTextEntry {
  keyword: string;
  text: string;
}

export interface PngMetadataBlocks {
  /** TIFF-structured EXIF. */
  exif?: Buffer;
  /** Bare IPTC-IIM records. */
  iptc?: Buffer;
  /** Title, Author, Description, ... text chunks of a PNG source. */
  text?: PngTextEntry[];
}

export function insertPngMetadata(png: Buffer, blocks: PngMetadataBlocks): Buffer {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('Not a PNG stream (bad signature)');
  const chunks: Buffer[] = [];
  if (blocks.exif) chunks.push(chunk('eXIf', blocks.exif));
  if (blocks.iptc) chunks.push(chunk('zTXt', Buffer.concat([latin1Keyword('Raw profile type iptc'), Buffer.from([0]), deflateSync(Buffer.from(pngRawProfileText(blocks.iptc), 'latin1'))])));
  for (const entry of blocks.text ?? []) {
    const keyword = latin1Keyword(entry.keyword);
    if (keyword.length <= 1) continue;
    // tEXt is Latin-1 only; anything else goes in an uncompressed UTF-8 iTXt chunk.
    if (isLatin1(entry.text)) chunks.push(chunk('tEXt', Buffer.concat([keyword, Buffer.from(entry.text, 'latin1')])));
    else chunks.push(chunk('iTXt', Buffer.concat([keyword, Buffer.from([0, 0, 0, 0]), Buffer.from(entry.text, 'utf8')])));
  }
  if (chunks.length === 0) return png;
  // libvips writes a small eXIf of its own (resolution) when asked for a density: ours replaces it.
  const kept = readChunks(png).filter((c) => !(blocks.exif && c.type === 'eXIf'));
  const idat = kept.findIndex((c) => c.type === 'IDAT');
  if (idat < 0) throw new Error('PNG stream has no IDAT chunk');
  return Buffer.concat([png.subarray(0, 8), ...kept.slice(0, idat).map((c) => c.bytes), ...chunks, ...kept.slice(idat).map((c) => c.bytes)]);
}

function readChunks(png: Buffer): Array<{ type: string; bytes: Buffer }> {
  const chunks: Array<{ type: string; bytes: Buffer }> = [];
  let at = 8;
  while (at + 12 <= png.length) {
    const length = png.readUInt32BE(at);
    chunks.push({ type: png.toString('latin1', at + 4, at + 8), bytes: png.subarray(at, at + 12 + length) });
    at += 12 + length;
  }
  return chunks;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0);
  return Buffer.concat([head, data, crc]);
}

/** A keyword is 1-79 Latin-1 characters followed by a NUL separator. */
function latin1Keyword(keyword: string): Buffer {
  const clean = keyword.replace(/[^\x20-\x7e\xa1-\xff]/g, '').slice(0, 79);
  return Buffer.concat([Buffer.from(clean, 'latin1'), Buffer.from([0])]);
}

/** Printable Latin-1 plus tab and line feed, as tEXt allows. */
function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!(c === 9 || c === 10 || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff))) return false;
  }
  return true;
}
