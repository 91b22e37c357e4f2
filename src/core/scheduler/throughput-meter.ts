/**
 * Smoothed throughput in pixels per millisecond (exponential moving average), for an ETA
 * that does not jump with each batch.
 */
export class ThroughputMeter {
  private rate: number | undefined;

  constructor(private readonly weight = 0.3) {}

  record(pixels: number, ms: number): void {
    if (ms <= 0 || pixels <= 0) return;
    const sample = pixels / ms;
    this.rate = this.rate === undefined ? sample : this.rate * (1 - this.weight) + sample * this.weight;
  }

  /** Milliseconds for `pixels` more work, or undefined before the first measurement. */
  etaMs(pixels: number): number | undefined {
    return this.rate === undefined ? undefined : Math.round(pixels / this.rate);
  }
}
