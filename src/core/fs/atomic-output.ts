import { promises as fs } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { claimOutputPath, syncFile } from './claim-output.js';

/** Suffix of in-progress outputs; the watcher and folder scans ignore it. */
export const TEMP_SUFFIX = '.heirloom-tmp';

export function isTempOutput(path: string): boolean {
  return path.endsWith(TEMP_SUFFIX);
}

/** This machine, as a short tag in temporary names (a shared output folder holds temporaries of several machines). */
export const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 6);

/** A temporary name's owner: `.<name>.<host tag>p<pid>-<random>.heirloom-tmp`. */
const OWNED_TEMP = /\.([0-9a-f]{6})p(\d+)-[0-9a-f]{8}\.heirloom-tmp$/;

/**
 * A hidden temporary path in the same folder as `finalPath`, so the rename stays on one file
 * system. Its name carries this machine's tag and this process's id, so that a process
 * cleaning up after a crash removes only temporaries whose writer is gone (see stale-temps.ts).
 */
export function tempPathFor(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.${HOST_TAG}p${process.pid}-${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`);
}

/** Who wrote a temporary file (its machine's tag and process id), when its name says so. */
export function tempOwner(name: string): { host: string; pid: number } | undefined {
  const match = OWNED_TEMP.exec(name);
  return match ? { host: match[1]!, pid: Number(match[2]) } : undefined;
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
  await syncFile(tempPath);
  return overwrite ? replaceUnprotected(tempPath, finalPath, protectedPaths) : claimFreeName(tempPath, finalPath);
}

async function replaceUnprotected(tempPath: string, finalPath: string, protectedPaths: string[]): Promise<string> {
  for (let n = 0; n < MAX_NUMBERED; n++) {
    const candidate = numberedName(finalPath, n);
    if (await isProtected(candidate, protectedPaths)) continue;
    await claimOutputPath(tempPath, candidate, { replace: true });
    return candidate;
  }
  throw new Error(`No free output name near ${finalPath}`);
}

async function claimFreeName(tempPath: string, finalPath: string): Promise<string> {
  for (let n = 0; n < MAX_NUMBERED; n++) {
    const candidate = numberedName(finalPath, n);
    if ((await claimOutputPath(tempPath, candidate, { replace: false })) === 'claimed') return candidate;
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

/** Removes a temporary file if it is still there (after a failure or a cancel). */
export async function discardTemp(tempPath: string): Promise<void> {
  await fs.rm(tempPath, { force: true });
}
