import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, extname, join } from 'node:path';

/** Suffix of in-progress outputs; the watcher and folder scans ignore it. */
export const TEMP_SUFFIX = '.heirloom-tmp';

export function isTempOutput(path: string): boolean {
  return path.endsWith(TEMP_SUFFIX);
}

/** A hidden temporary path in the same folder as `finalPath`, so the rename stays on one file system. */
export function tempPathFor(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`);
}

/** `name.jpg`, `name (1).jpg`, `name (2).jpg`, ... */
export function numberedName(path: string, n: number): string {
  if (n === 0) return path;
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)} (${n})${ext}`);
}

/**
 * Moves a finished temporary file into place. Without `overwrite`, an existing file is never
 * replaced: a hard link claims the name atomically (EEXIST means taken: try the next
 * number); file systems without hard links fall back to check-then-rename.
 * Returns the path actually written.
 */
export async function commitOutput(tempPath: string, finalPath: string, overwrite: boolean): Promise<string> {
  const handle = await fs.open(tempPath, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (overwrite) {
    await fs.rename(tempPath, finalPath);
    return finalPath;
  }
  for (let n = 0; n < 10_000; n++) {
    const candidate = numberedName(finalPath, n);
    try {
      await fs.link(tempPath, candidate);
      await fs.unlink(tempPath);
      return candidate;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw error;
      if (await exists(candidate)) continue;
      await fs.rename(tempPath, candidate);
      return candidate;
    }
  }
  throw new Error(`No free output name near ${finalPath}`);
}

/** Removes a temporary file if it is still there (after a failure or a cancel). */
export async function discardTemp(tempPath: string): Promise<void> {
  await fs.rm(tempPath, { force: true });
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch {
    return false;
  }
}
