/**
 * Reads a PNG's text chunks (tEXt, zTXt, iTXt) straight from the file. sharp reports them
 * too, but decodes Latin-1 tEXt as UTF-8 ("Été" comes back as "�t�"); these are the
 * words people typed (Title, Author, Description), so they are read exactly.
 * Only chunk headers are read for the image data, never the data itself.
 */
import { promises as fs } from 'node:fs';
import { inflateSync } from 'node:zlib';
import type { PngTextEntry } from './png-metadata.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const TEXT_TYPES = new Set(['tEXt', 'zTXt', 'iTXt']);
/** Text beyond this is not a caption: leave it (and a zip bomb in a zTXt) alone. */
const MAX_TEXT_BYTES = 1 << 20;

export async function readPngTextChunks(file: string): Promise<PngTextEntry[]> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(8);
    await handle.read(head, 0, 8, 0);
    if (!head.equals(SIGNATURE)) return [];
    const entries: PngTextEntry[] = [];
    let at = 8;
    while (at + 12 <= size) {
      const chunkHead = Buffer.alloc(8);
      await handle.read(chunkHead, 0, 8, at);
      const length = chunkHead.readUInt32BE(0);
      const type = chunkHead.toString('latin1', 4, 8);
      if (type === 'IEND') break;
      if (TEXT_TYPES.has(type) && length <= MAX_TEXT_BYTES && at + 8 + length <= size) {
        const data = Buffer.alloc(length);
        await handle.read(data, 0, length, at + 8);
        const entry = parseTextChunk(type, data);
        if (entry) entries.push(entry);
      }
      at += 12 + length;
    }
    return entries;
  } finally {
    await handle.close();
  }
}

function parseTextChunk(type: string, data: Buffer): PngTextEntry | undefined {
  const nul = data.indexOf(0);
  if (nul < 1) return undefined;
  const keyword = data.toString('latin1', 0, nul);
  try {
    if (type === 'tEXt') return { keyword, text: data.toString('latin1', nul + 1) };
    if (type === 'zTXt') return { keyword, text: inflateLimited(data.subarray(nul + 2)).toString('latin1') };
    // iTXt: compression flag, method, language tag\0, translated keyword\0, UTF-8 text.
    const compressed = data[nul + 1] === 1;
    const languageEnd = data.indexOf(0, nul + 3);
    const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
    if (translatedEnd < 0) return undefined;
    const text = data.subarray(translatedEnd + 1);
    return { keyword, text: (compressed ? inflateLimited(text) : text).toString('utf8') };
  } catch {
    return undefined;
  }
}

function inflateLimited(data: Buffer): Buffer {
  return inflateSync(data, { maxOutputLength: MAX_TEXT_BYTES });
}
