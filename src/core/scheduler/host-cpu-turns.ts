/**
 * When the only device is the host CPU, inference and the host's own CPU work (decoding,
 * blending, encoding) take turns instead of running at once. ONNX Runtime's threads meet
 * at a barrier after every operator and spin while they wait, so a single preempted thread
 * stalls them all: measured on 2 cores, inference ran 8 % slower while photos were encoded
 * beside it, which cost more than the encoding itself. Taking turns costs exactly the host
 * work. File I/O stays outside the turns, and with an accelerator (the device is not the
 * host) the turns are off so host work overlaps inference as it should.
 */
/** What a turn is for (for tests and profiling). */
export type HostWork = 'decode' | 'infer' | 'encode';

export class HostCpuTurns {
  private holder: Promise<void> = Promise.resolve();

  constructor(readonly enabled: boolean) {}

  /** Runs `work` in its turn (first come, first served); directly when turns are off. */
  async take<T>(_kind: HostWork, work: () => Promise<T> | T): Promise<T> {
    if (!this.enabled) return work();
    const previous = this.holder;
    let release!: () => void;
    this.holder = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }
}

/** Turns are on when every device is the host CPU; an accelerator's lane needs host work to overlap. */
export function turnsForLanes(lanes: ReadonlyArray<{ sharesHostCpu?: boolean }>): HostCpuTurns {
  return new HostCpuTurns(lanes.length > 0 && lanes.every((lane) => lane.sharesHostCpu === true));
}
