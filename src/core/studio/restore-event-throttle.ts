import type { ProgressEvent, RestoreEvent } from '../../shared/events.js';

export interface TimerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: TimerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Throttles the restore event stream before it crosses IPC: progress goes out at most once
 * per interval (about 10 a second), keeping only the latest progress per photo; every other
 * event (file-done, file-failed, job-finished, warnings...) goes out at once, after any
 * pending progress, so order is kept and nothing that matters is dropped.
 */
export class RestoreEventThrottle {
  private readonly pending = new Map<string, ProgressEvent>();
  private lastFlush = Number.NEGATIVE_INFINITY;
  private timer: unknown;

  constructor(
    private readonly forward: (event: RestoreEvent) => void,
    private readonly intervalMs = 100,
    private readonly clock: TimerClock = systemClock,
  ) {}

  push(event: RestoreEvent): void {
    if (event.type !== 'progress') {
      this.flush();
      this.forward(event);
      return;
    }
    this.pending.set(`${event.jobId}\u0000${event.file}`, event);
    if (this.timer !== undefined) return;
    const wait = this.lastFlush + this.intervalMs - this.clock.now();
    if (wait <= 0) this.flush();
    else this.timer = this.clock.setTimeout(() => this.flush(), wait);
  }

  /** Sends pending progress now. */
  flush(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.size === 0) return;
    this.lastFlush = this.clock.now();
    const events = [...this.pending.values()];
    this.pending.clear();
    for (const event of events) this.forward(event);
  }

  dispose(): void {
    this.flush();
  }
}

/**
 * Coalesces "something changed" notifications: the first goes out at once, later ones at
 * most once per interval, and the last one always goes out (the value is read when sent,
 * so coalescing never loses state).
 */
export class ChangeCoalescer {
  private lastSent = Number.NEGATIVE_INFINITY;
  private timer: unknown;

  constructor(
    private readonly send: () => void,
    private readonly intervalMs = 100,
    private readonly clock: TimerClock = systemClock,
  ) {}

  changed(): void {
    if (this.timer !== undefined) return;
    const wait = this.lastSent + this.intervalMs - this.clock.now();
    if (wait <= 0) this.fire();
    else this.timer = this.clock.setTimeout(() => this.fire(), wait);
  }

  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    this.timer = undefined;
    this.lastSent = this.clock.now();
    this.send();
  }
}
