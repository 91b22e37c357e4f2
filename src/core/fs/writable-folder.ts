import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { HeirloomError } from '../../shared/errors.js';

/** The output folder is created and proven writable before any work starts. */
export async function ensureWritableFolder(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
    const probe = join(dir, `.heirloom-write-test-${process.pid}`);
    await fs.writeFile(probe, '');
    await fs.rm(probe);
  } catch (error) {
    throw new HeirloomError('OUTPUT_NOT_WRITABLE', `The output folder ${dir} cannot be created or written (${(error as Error).message}). Choose another folder or fix its permissions.`, { file: dir, cause: error });
  }
}
