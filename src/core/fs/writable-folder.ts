import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { HeirloomError } from '../../shared/errors.js';
import { FS_DEADLINE_MS, withDeadline } from './with-deadline.js';
import { HOST_TAG } from './atomic-output.js';

export interface WritableFolderOptions {
  signal?: AbortSignal | undefined;
  /** Each folder call's deadline (default FS_DEADLINE_MS). */
  deadlineMs?: number;
}

/**
 * The output folder is created and proven writable before any work starts, or the job
 * fails at once with OUTPUT_NOT_WRITABLE. Missing folders are created one level at a
 * time from the nearest existing one (Node's recursive mkdir spins forever on file systems
 * such as /proc that answer ENOENT for a parent that exists), and every call has a
 * deadline, so a stalled network share fails the job instead of hanging it.
 */
export async function ensureWritableFolder(dir: string, options: WritableFolderOptions = {}): Promise<void> {
  const folder = resolve(dir);
  const timed = <T>(work: Promise<T>, what: string) =>
    withDeadline(work, {
      ms: options.deadlineMs ?? FS_DEADLINE_MS,
      signal: options.signal,
      onTimeout: () => notWritable(folder, `${what} did not answer within ${Math.round((options.deadlineMs ?? FS_DEADLINE_MS) / 1000)} s: a stalled network share or drive?`),
    });
  try {
    const missing: string[] = [];
    for (let current = folder; ; current = dirname(current)) {
      const stat = await timed(fs.stat(current), `Checking ${current}`).catch((error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined; // missing, or under a file: look further up
        throw error;
      });
      if (stat?.isDirectory()) break;
      if (stat) throw notWritable(folder, `${current} is a file, not a folder`);
      if (dirname(current) === current) throw notWritable(folder, `no part of the path exists`);
      missing.unshift(current);
    }
    for (const path of missing) {
      await timed(fs.mkdir(path), `Creating ${path}`).catch(async (error: unknown) => {
        // Another process may have created it meanwhile.
        if ((error as NodeJS.ErrnoException).code === 'EEXIST' && (await fs.stat(path)).isDirectory()) return;
        throw error;
      });
    }
    // Its own name per call: several jobs of one process (a farm worker's), or processes of several machines sharing the folder, probe at once.
    const probe = join(folder, `.heirloom-write-test-${process.pid}-${HOST_TAG}-${randomBytes(4).toString('hex')}`);
    await timed(fs.writeFile(probe, ''), `Writing in ${folder}`);
    await timed(fs.rm(probe), `Writing in ${folder}`);
  } catch (error) {
    if (error instanceof HeirloomError) throw error;
    throw notWritable(folder, (error as Error).message, error);
  }
}

function notWritable(dir: string, why: string, cause?: unknown): HeirloomError {
  return new HeirloomError('OUTPUT_NOT_WRITABLE', `The output folder ${dir} cannot be created or written (${why}). Choose another folder or fix its permissions.`, { file: dir, ...(cause === undefined ? {} : { cause }) });
}
