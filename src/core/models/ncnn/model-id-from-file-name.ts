import { basename, extname } from 'node:path';

/**
 * A manifest id (lower-case letters, digits, ".", "_", "-"; up to 64) from a model file name:
 * "RealESRGAN_x4plus.param" becomes "realesrgan_x4plus".
 */
export function modelIdFromFileName(path: string): string {
  const stem = basename(path, extname(path));
  const id = stem
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 64)
    .replace(/[._-]+$/, '');
  return id.length > 0 ? id : 'imported-model';
}
