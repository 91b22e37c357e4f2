import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, extname, join, resolve } from 'node:path';

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
 * number); file systems without hard links fall back to check-then-rename. With
 * `overwrite`, an existing output is replaced in one rename, except the `protectedPaths`
 * (the originals being restored): those are never replaced, the next free name is used.
 * Returns the path actually written.
 */
export async function commitOutput(tempPath: string, finalPath: string, overwrite: boolean, protectedPaths: string[] = []): Promise<string> {
  const handle = await fs.open(tempPath, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  const written = overwrite ? await replaceUnprotected(tempPath, finalPath, protectedPaths) : await claimFreeName(tempPath, finalPath);
  await syncFolder(dirname(written));
  return written;
}

async function replaceUnprotected(tempPath: string, finalPath: string, protectedPaths: string[]): Promise<string> {
  for (let n = 0; n < MAX_NUMBERED; n++) {
    const candidate = numberedName(finalPath, n);
    if (await isProtected(candidate, protectedPaths)) continue;
    await fs.rename(tempPath, candidate);
    return candidate;
  }
  throw new Error(`No free output name near ${finalPath}`);
}

async function claimFreeName(tempPath: string, finalPath: string): Promise<string> {
  for (let n = 0; n < MAX_NUMBERED; n++) {
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

const MAX_NUMBERED = 10_000;

/** Whether `candidate` is (the same file as) one of `protectedPaths`. */
async function isProtected(candidate: string, protectedPaths: string[]): Promise<boolean> {
  if (protectedPaths.length === 0) return false;
  let target;
  try {
    target = await fs.stat(candidate);
  } catch {
    return false;
  }
  for (const path of protectedPaths) {
    if (resolve(path) === resolve(candidate)) return true;
    try {
      const original = await fs.stat(path);
      if (original.dev === target.dev && original.ino === target.ino) return true;
    } catch {
      // An original that is gone cannot be harmed.
    }
  }
  return false;
}

/** Makes the rename itself durable; folders cannot be opened for syncing everywhere (Windows). */
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
