import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeirloomError } from '../../../shared/errors.js';

export interface ModelFolderFile {
  name: string;
  contents: Uint8Array | string;
}

/**
 * Installs a model as `<modelsDir>/<id>/` all at once: the files are written into a hidden
 * `.partial-` folder inside modelsDir (same file system) and then renamed into place, so a
 * reader never sees half a model and a failed install leaves nothing behind.
 * Refuses an existing id unless overwrite is set; then the old folder is swapped out and removed.
 */
export async function installModelFolder(
  modelsDir: string,
  id: string,
  files: readonly ModelFolderFile[],
  options: { overwrite?: boolean } = {},
): Promise<string> {
  const target = join(modelsDir, id);
  const exists = await pathExists(target);
  if (exists && options.overwrite !== true) {
    throw new HeirloomError('OUTPUT_EXISTS', `A model with id "${id}" is already installed in ${modelsDir}; choose another id or allow overwriting it.`, {
      file: target,
    });
  }
  let staging: string | undefined;
  try {
    await mkdir(modelsDir, { recursive: true });
    // mkdir, not mkdtemp: the folder keeps the user's umask instead of mkdtemp's 0700.
    staging = join(modelsDir, `.partial-${id}-${randomBytes(6).toString('hex')}`);
    await mkdir(staging);
    for (const file of files) await writeFile(join(staging, file.name), file.contents);
    if (exists) {
      const retired = join(modelsDir, `.replaced-${id}-${randomBytes(4).toString('hex')}`);
      await rename(target, retired);
      await rename(staging, target);
      await rm(retired, { recursive: true, force: true });
    } else {
      await rename(staging, target);
    }
    staging = undefined;
    return target;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      throw new HeirloomError('OUTPUT_EXISTS', `Another install of "${id}" finished first in ${modelsDir}; nothing was changed by this one.`, { file: target, cause: error });
    }
    throw new HeirloomError('OUTPUT_NOT_WRITABLE', `Cannot install model "${id}" into ${modelsDir}; check that the folder is writable and the disk has space.`, {
      file: target,
      cause: error,
    });
  } finally {
    if (staging !== undefined) await rm(staging, { recursive: true, force: true });
  }
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
