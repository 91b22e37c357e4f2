import sharp from 'sharp';

/** Writes a 0/1 mask as an 8-bit grey PNG (white = 1), the size of the photo it belongs to. */
export async function encodeMaskPng(mask: Uint8Array, width: number, height: number, path: string): Promise<void> {
  const grey = Buffer.alloc(mask.length);
  for (let i = 0; i < mask.length; i++) grey[i] = mask[i] ? 255 : 0;
  await sharp(grey, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png({ compressionLevel: 9 }).toFile(path);
}
