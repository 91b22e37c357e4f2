import sharp from 'sharp';
import { HeirloomError } from '../../shared/errors.js';

/** Writes a 0/1 mask as an 8-bit grey PNG (white = 1), the size of the photo it belongs to. */
export async function encodeMaskPng(mask: Uint8Array, width: number, height: number, path: string): Promise<void> {
  const grey = Buffer.alloc(mask.length);
  for (let i = 0; i < mask.length; i++) grey[i] = mask[i] ? 255 : 0;
  await sharp(grey, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png({ compressionLevel: 9 }).toFile(path);
}

/**
 * Reads an edited damage mask (a grey PNG, white = damage) as a 0/1 mask of the photo's
 * size. A mask of another size (drawn over a preview) is scaled to the photo, nearest pixel.
 */
export async function readMaskPng(path: string, width: number, height: number): Promise<Uint8Array> {
  let grey: Buffer;
  try {
    grey = await sharp(path).flatten({ background: '#000000' }).greyscale().resize(width, height, { fit: 'fill', kernel: 'nearest' }).raw().toBuffer();
  } catch (error) {
    throw new HeirloomError('INVALID_SETTING', `The edited damage mask ${path} cannot be read as an image. Draw the mask again in Compare and repair again.`, { file: path, cause: (error as Error).message });
  }
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = grey[i]! > 127 ? 1 : 0;
  return mask;
}
