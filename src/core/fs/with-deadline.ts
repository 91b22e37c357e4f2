import { promises as fs, type Stats } from 'node:fs';
import { HeirloomError } from '../../shared/errors.js';

/** How long one folder or file call may take before it counts as hung (a stalled network share, a dead drive). */
export const FS_DEADLINE_MS = 10_000;

export interface DeadlineOptions {
  /** Milliseconds before `onTimeout`'s error is thrown (default FS_DEADLINE_MS). */
  ms?: number;
  /** Cancels the wait at once (CANCELLED). */
  signal?: AbortSignal | undefined;
  /** The error for a call that did not answer in time. */
  onTimeout: () => Error;
}

/**
 * Waits for `work` until it settles, the deadline passes, or `signal` aborts, whichever
 * comes first. A call that hangs in the operating system cannot be taken back; it is left
 * behind and its result ignored, so the caller (and a stop) is never stuck behind it.
 */
export function withDeadline<T>(work: Promise<T>, options: DeadlineOptions): Promise<T> {
  const { signal } = options;
  if (signal?.aborted) {
    work.catch(() => undefined);
    return Promise.reject(cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      finish();
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      finish();
      reject(options.onTimeout());
    }, options.ms ?? FS_DEADLINE_MS);
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        finish();
        resolve(value);
      },
      (error: unknown) => {
        finish();
        reject(error);
      },
    );
  });
}

/** fs.stat with a deadline (an ETIMEDOUT error) and the stop signal (CANCELLED). */
export function statWithin(path: string, signal?: AbortSignal, ms = FS_DEADLINE_MS): Promise<Stats> {
  return withDeadline(fs.stat(path), { ms, signal, onTimeout: () => Object.assign(new Error(`${path} did not answer within ${Math.round(ms / 1000)} s`), { code: 'ETIMEDOUT' }) });
}

/** Throws CANCELLED when the signal has been aborted (a check between steps). */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}

function cancelled(): HeirloomError {
  return new HeirloomError('CANCELLED', 'The job was cancelled.');
}
