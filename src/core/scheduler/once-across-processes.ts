import { throwIfCancelled } from '../fs/with-deadline.js';
import type { WorkLeases } from '../store/work-leases.js';

export interface OnceOptions<T> {
  leases: WorkLeases;
  /** The claim's name, e.g. `tune:cpu:realesr-general-x4v3:fp32`. */
  name: string;
  /** The result if some process (this one or another) already has it. */
  existing: () => T | undefined;
  /** Does the work (only while holding the claim). */
  work: () => Promise<T>;
  /** Called once when another process holds the claim and this one starts waiting for its result. */
  onWait?: () => void;
  /** How long a claim lasts without renewal (default 60 s; renewed every third of it while working). */
  ttlMs?: number;
  pollMs?: number;
  signal?: AbortSignal | undefined;
}

/**
 * Work that one process should do and the others reuse (tuning a device for a model): the
 * first process to claim it does it; another waits, polling for the result, and takes it
 * over if the first dies or gives up. Both end with the same result, measured once.
 */
export async function onceAcrossProcesses<T>(options: OnceOptions<T>): Promise<T> {
  const ttl = options.ttlMs ?? 60_000;
  let waiting = false;
  for (;;) {
    throwIfCancelled(options.signal);
    const found = options.existing();
    if (found !== undefined) return found;
    if (options.leases.tryAcquire(options.name, ttl)) {
      const renew = setInterval(() => options.leases.renew(options.name, ttl), Math.max(10, Math.floor(ttl / 3)));
      try {
        // It may have been finished between the check and the claim.
        const again = options.existing();
        if (again !== undefined) return again;
        return await options.work();
      } finally {
        clearInterval(renew);
        options.leases.release(options.name);
      }
    }
    if (!waiting) {
      waiting = true;
      options.onWait?.();
    }
    await sleep(options.pollMs ?? 200, options.signal);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
