import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';

/** Who holds a lock, and whether a holder named by a token is still running (see ProcessOwner). */
export interface LockHolder {
  token: string;
  isAlive(token: string): boolean;
}

export interface LockFileOptions {
  /** Give up after this long (ms); the error says who holds it. */
  timeoutMs: number;
  pollMs?: number;
}

/**
 * A lock between processes: a file created exclusively (O_EXCL) holding the holder's
 * token. A lock whose holder died is taken over; a live holder is waited for, synchronously
 * (this guards start-up work that runs before anything else can). Returns the release function,
 * or undefined when `timeoutMs` passed while another live process held it.
 */
export function acquireLockFileSync(path: string, holder: LockHolder, options: LockFileOptions): (() => void) | undefined {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    try {
      writeFileSync(path, holder.token, { flag: 'wx' });
      return () => releaseLockFile(path, holder.token);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = readToken(path);
    if (current !== undefined && !holder.isAlive(current)) {
      // The holder died: take it over (if another process removed it first, the next create decides).
      if (readToken(path) === current) rmSync(path, { force: true });
      continue;
    }
    if (current === undefined && ageMs(path) > EMPTY_LOCK_STALE_MS) {
      // Created but never written: its holder died between the two.
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline) return undefined;
    sleepSync(options.pollMs ?? 50);
  }
}

function releaseLockFile(path: string, token: string): void {
  if (readToken(path) === token) rmSync(path, { force: true });
}

/** The token in a lock file; undefined when it is gone (or being written: an empty file is someone's fresh lock). */
function readToken(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

/** A lock file still empty after this long was left by a process that died while creating it. */
const EMPTY_LOCK_STALE_MS = 5000;

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
