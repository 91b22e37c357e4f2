import { abortableWait } from './abortable-wait.js';

/** Lets workers wait while paused; resuming releases every waiter at once. */
export class PauseGate {
  private paused = false;
  private waiters: Array<() => void> = [];

  get isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const release of waiters) release();
  }

  /** Resolves immediately when running, else when resumed (or when `signal` aborts). */
  async wait(signal?: AbortSignal): Promise<void> {
    if (!this.paused) return;
    await abortableWait((release) => this.waiters.push(release), signal);
  }
}
