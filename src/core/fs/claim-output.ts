import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Moves a finished, synced temporary file to exactly `finalPath` (the durable commit's
 * second half: the path was recorded in the store first). Without `replace`, an existing
 * file is never replaced: a hard link claims the name atomically and 'taken' says to try
 * another name; file systems without hard links (FAT, exFAT, some shares) fall back to
 * check-then-rename. With `replace`, one rename replaces what is there.
 */
export async function claimOutputPath(tempPath: string, finalPath: string, options: { replace: boolean }): Promise<'claimed' | 'taken'> {
  if (options.replace) {
    await fs.rename(tempPath, finalPath);
  } else {
    try {
      await fs.link(tempPath, finalPath);
      await fs.rm(tempPath, { force: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return 'taken';
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw error;
      if (await exists(finalPath)) return 'taken';
      await fs.rename(tempPath, finalPath);
    }
  }
  await syncFolder(dirname(finalPath));
  return 'claimed';
}

/** Flushes a file's bytes to disk before it is named (a rename must never expose a file that a power cut can empty). */
export async function syncFile(path: string): Promise<void> {
  const handle = await fs.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename durable; folders cannot be opened for syncing everywhere (Windows). */
async function syncFolder(dir: string): Promise<void> {
  let handle;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort: the data itself was synced before the rename.
  } finally {
    await handle?.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch {
    return false;
  }
}
