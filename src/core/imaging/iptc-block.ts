/**
 * IPTC-IIM records (caption, keywords, credit, ...) and the wrappers formats store them in:
 * JPEG's APP13 holds a Photoshop resource block ("8BIM" resource 0x0404), TIFF holds the
 * bare records, PNG holds the Photoshop block as a hex "Raw profile type iptc" text chunk
 * (the ImageMagick / ExifTool convention). Heirloom keeps the bare records in between.
 */

const PHOTOSHOP_HEADER = Buffer.from('Photoshop 3.0\0', 'latin1');
const RESOURCE_SIGNATURE = '8BIM';
const IPTC_RESOURCE_ID = 0x0404;
/** Every IIM record starts with this tag marker. */
const IIM_MARKER = 0x1c;

/** The bare records from whichever wrapper `block` uses; undefined when it holds none. */
export function iptcRecords(block: Buffer): Buffer | undefined {
  if (block.length === 0) return undefined;
  if (block[0] === IIM_MARKER) return trimPadding(block);
  const start = block.subarray(0, PHOTOSHOP_HEADER.length).equals(PHOTOSHOP_HEADER) ? PHOTOSHOP_HEADER.length : 0;
  return iptcFromResources(block.subarray(start));
}

/** Walks Photoshop image resources for the IPTC one. */
function iptcFromResources(resources: Buffer): Buffer | undefined {
  let at = 0;
  while (at + 12 <= resources.length && resources.toString('latin1', at, at + 4) === RESOURCE_SIGNATURE) {
    const id = resources.readUInt16BE(at + 4);
    const nameLength = resources[at + 6]!;
    // The Pascal name (length byte + text) is padded to an even size.
    const nameSize = (nameLength + 1) % 2 === 0 ? nameLength + 1 : nameLength + 2;
    const sizeAt = at + 6 + nameSize;
    if (sizeAt + 4 > resources.length) return undefined;
    const size = resources.readUInt32BE(sizeAt);
    const dataAt = sizeAt + 4;
    if (dataAt + size > resources.length) return undefined;
    if (id === IPTC_RESOURCE_ID) {
      const data = resources.subarray(dataAt, dataAt + size);
      return data[0] === IIM_MARKER ? trimPadding(data) : undefined;
    }
    at = dataAt + size + (size % 2);
  }
  return undefined;
}

/** TIFF writers pad the records to whole LONGs; the padding is not a record. */
function trimPadding(records: Buffer): Buffer {
  let end = records.length;
  while (end > 0 && records[end - 1] === 0) end--;
  // A record's data may legitimately end in zero bytes: only trim when the records parse.
  return parsesAsRecords(records.subarray(0, end)) ? Buffer.from(records.subarray(0, end)) : Buffer.from(records);
}

function parsesAsRecords(records: Buffer): boolean {
  let at = 0;
  while (at < records.length) {
    if (records[at] !== IIM_MARKER || at + 5 > records.length) return false;
    const size = records.readUInt16BE(at + 3);
    if (size & 0x8000) return false; // extended sizes are not used by photo tools
    at += 5 + size;
  }
  return at === records.length;
}

/** A Photoshop resource block holding only the IPTC records. */
export function photoshopResourceBlock(records: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.write(RESOURCE_SIGNATURE, 0, 'latin1');
  head.writeUInt16BE(IPTC_RESOURCE_ID, 4);
  // bytes 6-7: empty Pascal name, padded to even
  head.writeUInt32BE(records.length, 8);
  return Buffer.concat([head, records, Buffer.alloc(records.length % 2)]);
}

/** JPEG APP13 payload: "Photoshop 3.0\0" and the resource block. */
export function jpegApp13Payload(records: Buffer): Buffer {
  return Buffer.concat([PHOTOSHOP_HEADER, photoshopResourceBlock(records)]);
}

/** Text of a PNG "Raw profile type iptc" chunk: name, length, then hex in 72-column lines. */
export function pngRawProfileText(records: Buffer): string {
  const data = photoshopResourceBlock(records);
  const hex = data.toString('hex');
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 72) lines.push(hex.slice(i, i + 72));
  return `\nIPTC profile\n${String(data.length).padStart(8)}\n${lines.join('\n')}\n`;
}

/** Reads a PNG raw profile text back into bytes; undefined when it is malformed. */
export function parsePngRawProfile(text: string): Buffer | undefined {
  const match = /^\s*\n?[^\n]*\n\s*(\d+)\s*\n([\s0-9a-fA-F]*)$/.exec(text);
  if (!match) return undefined;
  const length = Number(match[1]);
  const hex = match[2]!.replace(/\s+/g, '');
  if (hex.length < length * 2) return undefined;
  return Buffer.from(hex.slice(0, length * 2), 'hex');
}
