/**
 * Adds EXIF, GPS and IPTC to a TIFF that sharp wrote from raw pixels (sharp writes the ICC
 * profile and XMP itself, but not these). The first directory is rewritten with the extra
 * tags at the end of the file and the header pointed at it: the image data never moves,
 * and the small old directory is left unreferenced.
 */
import { promises as fs } from 'node:fs';
import { TAG, TYPE, fileSource, findEntry, readIfd, readTiffHeader, setEntry, writeIfd, type Ifd } from './tiff-ifd.js';

export interface TiffMetadataBlocks {
  /** IFD0 tags and sub-directories as prepared for the output (see exifForOutput). */
  exif?: Ifd;
  /** Bare IPTC-IIM records. */
  iptc?: Buffer;
}

/** Tags exifForOutput sets for the output: they replace whatever the encoder wrote. */
const PREPARED_TAGS = new Set<number>([TAG.orientation, TAG.xResolution, TAG.yResolution, TAG.resolutionUnit]);

export async function appendTiffMetadata(path: string, blocks: TiffMetadataBlocks): Promise<void> {
  if (!blocks.exif && !blocks.iptc) return;
  const handle = await fs.open(path, 'r+');
  try {
    const source = await fileSource(handle);
    const header = await readTiffHeader(source);
    if (!header.littleEndian) throw new Error('Only little-endian TIFF output can take extra metadata');
    const { ifd, next } = await readIfd(source, header, header.firstIfd);
    if (blocks.exif) {
      for (const entry of blocks.exif.entries) {
        // The encoder's own tags (size, layout) win; orientation and resolution come from the prepared EXIF.
        if (!findEntry(ifd, entry.tag) || PREPARED_TAGS.has(entry.tag)) setEntry(ifd, entry);
      }
      for (const [tag, child] of blocks.exif.children) ifd.children.set(tag, child);
    }
    if (blocks.iptc) {
      // Photoshop's convention: IPTC as LONGs, the records padded to a multiple of 4.
      const padded = Buffer.concat([blocks.iptc, Buffer.alloc((4 - (blocks.iptc.length % 4)) % 4)]);
      setEntry(ifd, { tag: TAG.iptc, type: TYPE.long, count: padded.length / 4, data: padded });
    }
    const at = source.size + (source.size % 2);
    const bytes = writeIfd(ifd, at, next);
    await handle.write(Buffer.concat([Buffer.alloc(at - source.size), bytes]), 0, undefined, source.size);
    const pointer = Buffer.alloc(4);
    pointer.writeUInt32LE(at);
    await handle.write(pointer, 0, 4, 4);
  } finally {
    await handle.close();
  }
}
