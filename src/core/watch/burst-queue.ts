/** A file waiting for its folder's next job. */
export interface QueuedFile {
  folderId: string;
  path: string;
  /** Found by the start-up scan (already-restored files are then skipped quietly). */
  initial: boolean;
}

export interface BurstOptions {
  /** A burst is over when no file arrived for this long. */
  quietMs: number;
  /** ... or when its first file has waited this long. */
  maxWaitMs: number;
  /** Most files in one job. */
  maxBatch: number;
}

/**
 * Files that are complete and wait for a job. Arrivals are grouped into bursts: a job is
 * started when the folder has been quiet for a moment, when the oldest file has waited
 * long enough, or when a job's worth is waiting; so hundreds of files dropped at once make
 * a few jobs run one after the other (one engine, one session), not hundreds.
 */
export class BurstQueue {
  private readonly items = new Map<string, QueuedFile & { at: number }>();
  private lastArrival = 0;
  private wakeUp: (() => void) | undefined;
  private interrupted = false;

  constructor(private readonly options: BurstOptions) {}

  add(file: QueuedFile): void {
    const key = `${file.folderId}\0${file.path}`;
    const now = Date.now();
    const existing = this.items.get(key);
    // A file reported again keeps its place; "initial" only while every report was.
    this.items.set(key, { ...file, initial: file.initial && (existing?.initial ?? true), at: existing?.at ?? now });
    this.lastArrival = now;
    this.wake();
  }

  /** Forgets a folder's waiting files (paused or removed). */
  drop(folderId: string): void {
    for (const [key, item] of this.items) if (item.folderId === folderId) this.items.delete(key);
  }

  get size(): number {
    return this.items.size;
  }

  /** Makes a waiting `next` return undefined now (other work arrived for the worker). */
  interrupt(): void {
    this.interrupted = true;
    this.wake();
  }

  private wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = undefined;
    wake?.();
  }

  /**
   * The next burst: the oldest waiting file's folder, up to maxBatch of its files in
   * arrival order. Undefined when woken early or aborted.
   */
  async next(signal: AbortSignal): Promise<{ folderId: string; files: QueuedFile[] } | undefined> {
    for (;;) {
      if (signal.aborted) return undefined;
      if (this.interrupted) {
        this.interrupted = false;
        return undefined;
      }
      const oldest = this.items.values().next().value;
      if (!oldest) {
        if (!(await this.sleep(undefined, signal))) return undefined;
        continue;
      }
      const now = Date.now();
      const waitQuiet = this.options.quietMs - (now - this.lastArrival);
      const waitOldest = this.options.maxWaitMs - (now - oldest.at);
      if (this.items.size < this.options.maxBatch && waitQuiet > 0 && waitOldest > 0) {
        if (!(await this.sleep(Math.min(waitQuiet, waitOldest), signal))) return undefined;
        continue;
      }
      const files: QueuedFile[] = [];
      for (const [key, item] of this.items) {
        if (item.folderId !== oldest.folderId) continue;
        files.push({ folderId: item.folderId, path: item.path, initial: item.initial });
        this.items.delete(key);
        if (files.length >= this.options.maxBatch) break;
      }
      return { folderId: oldest.folderId, files };
    }
  }

  /** Sleeps until `ms` pass or a file arrives or an interrupt (true), or an abort (false). */
  private sleep(ms: number | undefined, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (value: boolean) => {
        if (timer) clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (this.wakeUp === onWake) this.wakeUp = undefined;
        resolve(value);
      };
      const onAbort = () => done(false);
      const onWake = () => done(true);
      this.wakeUp = onWake;
      signal.addEventListener('abort', onAbort, { once: true });
      if (ms !== undefined) timer = setTimeout(() => done(true), ms);
    });
  }
}
