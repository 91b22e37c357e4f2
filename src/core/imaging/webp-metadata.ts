/**
 * Adds an EXIF chunk to a WebP that sharp encoded from raw pixels (sharp writes ICCP and
 * XMP itself). A simple-format file (one VP8/VP8L chunk) is promoted to the extended
 * format, whose VP8X header announces the EXIF chunk.
 */

const FLAG_ALPHA = 0x10;
const FLAG_EXIF = 0x08;

export interface WebpFacts {
  width: number;
  height: number;
  hasAlpha: boolean;
}

export function insertWebpExif(webp: Buffer, exif: Buffer, facts: WebpFacts): Buffer {
  if (webp.toString('latin1', 0, 4) !== 'RIFF' || webp.toString('latin1', 8, 12) !== 'WEBP') throw new Error('Not a WebP stream (bad RIFF header)');
  // libvips writes a small EXIF of its own (resolution) when asked for a density: ours replaces it.
  const chunks = readChunks(webp).filter((c) => c.type !== 'EXIF');
  const first = chunks[0];
  if (!first) throw new Error('WebP stream has no chunks');
  let vp8x: Buffer;
  let rest: Array<{ type: string; bytes: Buffer }>;
  if (first.type === 'VP8X') {
    vp8x = Buffer.from(first.bytes);
    rest = chunks.slice(1);
  } else {
    const data = Buffer.alloc(10);
    data.writeUIntLE(facts.width - 1, 4, 3);
    data.writeUIntLE(facts.height - 1, 7, 3);
    if (facts.hasAlpha) data[0] = FLAG_ALPHA;
    vp8x = chunk('VP8X', data);
    rest = chunks;
  }
  vp8x[8] = vp8x[8]! | FLAG_EXIF;
  // The specification orders EXIF after the image data and before XMP.
  const xmpAt = rest.findIndex((c) => c.type === 'XMP ');
  const exifChunk = { type: 'EXIF', bytes: chunk('EXIF', exif) };
  if (xmpAt >= 0) rest.splice(xmpAt, 0, exifChunk);
  else rest.push(exifChunk);
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), vp8x, ...rest.map((c) => c.bytes)]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

function readChunks(webp: Buffer): Array<{ type: string; bytes: Buffer }> {
  const chunks: Array<{ type: string; bytes: Buffer }> = [];
  const end = Math.min(webp.length, 8 + webp.readUInt32LE(4));
  let at = 12;
  while (at + 8 <= end) {
    const size = webp.readUInt32LE(at + 4);
    const total = 8 + size + (size % 2);
    chunks.push({ type: webp.toString('latin1', at, at + 4), bytes: webp.subarray(at, Math.min(at + total, end)) });
    at += total;
  }
  return chunks;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(type, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, Buffer.alloc(data.length % 2)]);
}
