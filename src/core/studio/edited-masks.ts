import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { HeirloomError } from '../../shared/errors.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Keeps a damage mask the user edited in Compare, under the data folder:
 * `<home>/masks/<stamp>/<photo name>.png` (a new folder each time, so an earlier edit is
 * never replaced; the job that uses it records the path in its settings).
 */
export async function saveEditedMask(home: string, input: string, pngBase64: string, now = new Date()): Promise<string> {
  const png = Buffer.from(pngBase64, 'base64');
  if (png.length < PNG_SIGNATURE.length || !png.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) {
    throw new HeirloomError('USAGE', 'The edited damage mask did not arrive as a PNG image. Draw it again and press Repair again.');
  }
  const stamp = `${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;
  const folder = join(home, 'masks', stamp);
  await fs.mkdir(folder, { recursive: true });
  const path = join(folder, `${basename(input, extname(input))}.png`);
  await fs.writeFile(path, png, { flag: 'wx' });
  return path;
}
