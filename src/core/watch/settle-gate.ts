import { promises as fs, type Stats } from 'node:fs';

export interface SettleOptions {
  /** A file is complete once it has not changed for this long. */
  stableMs: number;
  /** How often a file still being written is looked at again. */
  pollMs: number;
}

interface Waiting {
  timer: NodeJS.Timeout | undefined;
  token: object;
}

/**
 * Write-finish detection for files the watcher reports before it is ready (its initial
 * scan: chokidar's awaitWriteFinish only covers later events), and a last check for the
 * others. A file is complete when its modification time is `stableMs` old, or when its
 * size and modification time have stayed the same for `stableMs` (a clock that runs ahead
 * on a network share). A file reported again restarts its wait.
 */
export class SettleGate {
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly options: SettleOptions) {}

  /** Calls `ready` once `path` is complete, or `gone` if it disappears first. */
  watch(path: string, ready: (stats: Stats) => void, gone: () => void = () => {}): void {
    this.cancel(path);
    const entry: Waiting = { timer: undefined, token: {} };
    this.waiting.set(path, entry);
    const check = async (previous?: { size: number; mtimeMs: number; since: number }): Promise<void> => {
      let stats: Stats;
      try {
        stats = await fs.stat(path);
      } catch {
        if (this.waiting.get(path)?.token === entry.token) {
          this.waiting.delete(path);
          gone();
        }
        return;
      }
      if (this.waiting.get(path)?.token !== entry.token) return;
      const now = Date.now();
      const unchanged = previous !== undefined && previous.size === stats.size && previous.mtimeMs === stats.mtimeMs;
      const since = unchanged ? previous.since : now;
      if (now - stats.mtimeMs >= this.options.stableMs || now - since >= this.options.stableMs) {
        this.waiting.delete(path);
        ready(stats);
        return;
      }
      entry.timer = setTimeout(() => void check({ size: stats.size, mtimeMs: stats.mtimeMs, since }), this.options.pollMs);
    };
    void check();
  }

  cancel(path: string): void {
    const entry = this.waiting.get(path);
    if (entry?.timer) clearTimeout(entry.timer);
    this.waiting.delete(path);
  }

  get pending(): number {
    return this.waiting.size;
  }

  dispose(): void {
    for (const entry of this.waiting.values()) if (entry.timer) clearTimeout(entry.timer);
    this.waiting.clear();
  }
}
