/**
 * Images for the studio's screens: small thumbnails for lists, and the whole image in a
 * format a browser displays (for the before/after comparison). The original is only read.
 */
import sharp from 'sharp';
import { promises as fs } from 'node:fs';
import { HeirloomError } from '../../shared/errors.js';

export interface RenderedImage {
  data: Buffer;
  contentType: string;
}

/** Formats Chromium decodes itself: these are sent as they are, byte for byte. */
const BROWSER_FORMATS: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif' };

function previewError(error: unknown, file: string): HeirloomError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new HeirloomError('NOT_FOUND', `${file} no longer exists, so it cannot be shown. It may have been moved or deleted.`, { file, cause: error });
  if (code === 'EACCES' || code === 'EPERM') return new HeirloomError('PERMISSION_DENIED', `${file} cannot be read: permission denied. Give your user read access to it.`, { file, cause: error });
  return new HeirloomError('DECODE_FAILED', `${file} cannot be shown (${(error as Error).message.split('\n')[0]}). Open it in another program to check it.`, { file, cause: error });
}

/** A thumbnail that fits `maxSide` (never enlarged), oriented, as WebP. */
export async function renderThumbnail(file: string, maxSide = 256, maxPixels = 200_000_000): Promise<RenderedImage> {
  try {
    const data = await sharp(file, { limitInputPixels: maxPixels, page: 0, pages: 1 })
      .rotate()
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82 })
      .toBuffer();
    return { data, contentType: 'image/webp' };
  } catch (error) {
    throw previewError(error, file);
  }
}

/** The whole image: as stored when the browser can show it, else converted to PNG. */
export async function renderViewable(file: string, maxPixels = 200_000_000): Promise<RenderedImage> {
  let format: string | undefined;
  try {
    format = (await sharp(file, { limitInputPixels: maxPixels }).metadata()).format;
  } catch (error) {
    throw previewError(error, file);
  }
  const type = format ? BROWSER_FORMATS[format] : undefined;
  try {
    if (type) return { data: await fs.readFile(file), contentType: type };
    const data = await sharp(file, { limitInputPixels: maxPixels, page: 0, pages: 1 }).rotate().png({ compressionLevel: 3 }).toBuffer();
    return { data, contentType: 'image/png' };
  } catch (error) {
    throw previewError(error, file);
  }
}
