import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { HeirloomError } from '../../../shared/errors.js';

/** A file of the new model folder written from memory (a converted graph, a manifest). */
export interface InMemoryFile {
  name: string;
  contents: string | Uint8Array;
}

/** A file of the new model folder: written from memory, moved (renamed) from a finished download, or copied. */
export type InstallFile = InMemoryFile | { name: string; moveFrom: string } | { name: string; copyFrom: string };

/**
 * Installs `<modelsDir>/<id>/` all at once: files go into a hidden staging folder in
 * modelsDir (same file system; the registry skips dot-folders) that is renamed into place,
 * so no reader ever sees half a model and a failure leaves nothing behind. A multi-hundred-MB
 * download is renamed, never read into memory. With `replace`, an existing folder is swapped
 * out and removed after the new one is in place.
 */
export async function installModelDir(modelsDir: string, id: string, files: readonly InstallFile[], options: { replace?: boolean } = {}): Promise<string> {
  const target = join(modelsDir, id);
  const exists = await pathExists(target);
  if (exists && !options.replace) {
    throw new HeirloomError('OUTPUT_EXISTS', `A model with id "${id}" is already installed in ${modelsDir}. Remove it first ("heirloom models remove ${id}") or pass --overwrite.`, { file: target });
  }
  const staging = join(modelsDir, `.installing-${id}-${randomBytes(6).toString('hex')}`);
  let installed = false;
  try {
    await fs.mkdir(staging, { recursive: true });
    for (const file of files) {
      const path = join(staging, file.name);
      if ('contents' in file) await fs.writeFile(path, file.contents);
      else if ('moveFrom' in file) await fs.rename(file.moveFrom, path);
      else await fs.copyFile(file.copyFrom, path);
    }
    if (exists) {
      const retired = join(modelsDir, `.replaced-${id}-${randomBytes(4).toString('hex')}`);
      await fs.rename(target, retired);
      await fs.rename(staging, target);
      await fs.rm(retired, { recursive: true, force: true });
    } else {
      await fs.rename(staging, target);
    }
    installed = true;
    return target;
  } catch (error) {
    if (error instanceof HeirloomError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      throw new HeirloomError('OUTPUT_EXISTS', `Another install of "${id}" finished first in ${modelsDir}; nothing was changed by this one.`, { file: target, cause: error });
    }
    throw new HeirloomError('OUTPUT_NOT_WRITABLE', `Cannot install model "${id}" into ${modelsDir} (${(error as Error).message}). Check that the folder is writable and the disk has space.`, { file: target, cause: error });
  } finally {
    if (!installed) await fs.rm(staging, { recursive: true, force: true });
  }
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await fs.stat(path);
    return true;
  } catch {
    return false;
  }
}
