/**
 * Pulls items from an async source up to `limit` ahead of the consumer, so the source's
 * latency (listing a folder, hashing the next photos) overlaps the consumer's work instead
 * of adding to it. An error of the source reaches the consumer at the item it stopped at.
 */
export class ReadAhead<T> {
  private readonly buffer: T[] = [];
  private ended = false;
  private closed = false;
  private error: unknown;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;
  private started = false;

  constructor(
    private readonly source: AsyncIterator<T>,
    private readonly limit: number,
  ) {}

  /** Starts pulling (a source with side effects, such as events, starts when its consumer is ready). */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.pump();
  }

  /** Items pulled and not yet taken. */
  get waiting(): number {
    return this.buffer.length;
  }

  /** The source reached its end (not stopped by an error or a close). */
  get finished(): boolean {
    return this.ended && this.error === undefined && !this.closed;
  }

  /** The next item, or undefined at the end; throws what the source threw. */
  async next(): Promise<T | undefined> {
    this.start();
    while (this.buffer.length === 0) {
      if (this.ended) {
        if (this.error !== undefined) throw this.error;
        return undefined;
      }
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
    const item = this.buffer.shift()!;
    this.wake('producer');
    return item;
  }

  /** Stops pulling (a cancelled job); the source is closed. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake('producer');
    if (!this.started) await this.source.return?.();
  }

  private async pump(): Promise<void> {
    try {
      while (!this.closed) {
        if (this.buffer.length >= this.limit) {
          await new Promise<void>((resolve) => (this.wakeProducer = resolve));
          continue;
        }
        const result = await this.source.next();
        if (result.done) break;
        this.buffer.push(result.value);
        this.wake('consumer');
      }
      if (this.closed) await this.source.return?.();
    } catch (error) {
      this.error = error;
    } finally {
      this.ended = true;
      this.wake('consumer');
    }
  }

  private wake(who: 'consumer' | 'producer'): void {
    const wake = who === 'consumer' ? this.wakeConsumer : this.wakeProducer;
    if (who === 'consumer') this.wakeConsumer = undefined;
    else this.wakeProducer = undefined;
    wake?.();
  }
}

/**
 * `work` on each item of `source`, up to `concurrency` at once, results in the source's
 * order: photos on a network share are hashed several at a time, and still queued in order.
 */
export async function* mapAhead<T, R>(source: AsyncIterable<T>, work: (item: T) => Promise<R>, concurrency: number): AsyncGenerator<R> {
  const iterator = source[Symbol.asyncIterator]();
  const inFlight: Array<Promise<R>> = [];
  let ended = false;
  try {
    for (;;) {
      while (!ended && inFlight.length < concurrency) {
        const next = await iterator.next();
        if (next.done) ended = true;
        else {
          const result = work(next.value);
          result.catch(() => undefined); // seen when its turn comes; never an unhandled rejection meanwhile
          inFlight.push(result);
        }
      }
      const head = inFlight.shift();
      if (!head) return;
      yield await head;
    }
  } finally {
    if (!ended) await iterator.return?.();
  }
}
