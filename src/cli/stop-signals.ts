/** How long a stop may take before the process ends anyway (issue #15: a stop always stops within 5 s). */
export const STOP_GRACE_MS = 4000;

export interface StopOnSignalsOptions {
  /** Called on the first Ctrl+C or SIGTERM: cancel the work (abort a job, dispose a service). */
  onStop: (signal: NodeJS.Signals) => void;
  /** A line for people on the first signal. */
  message?: string;
  graceMs?: number;
  /** Ends the process (tests replace it). */
  exit?: (code: number) => void;
  write?: (line: string) => void;
}

export interface StopHandle {
  /** Whether a stop was asked for. */
  readonly requested: boolean;
  /** Resolves on the first signal. */
  readonly stopped: Promise<NodeJS.Signals>;
  /** Stops listening; after a stop, the process still ends within the grace period if something hangs. */
  dispose(): void;
}

/**
 * Ctrl+C and SIGTERM for a command: the first asks the work to stop cleanly and starts a
 * grace timer; if the work has not wound down when it runs out (a folder call hanging on
 * a dead share, a native call that cannot be interrupted), the process exits anyway. A
 * second Ctrl+C exits at once. The timer does not keep a finished process alive.
 */
export function stopOnSignals(options: StopOnSignalsOptions): StopHandle {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  let requested = false;
  let resolveStopped: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => (resolveStopped = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (requested) {
      write('Stopping now.\n');
      exit(1);
      return;
    }
    requested = true;
    if (options.message) write(`${options.message}\n`);
    setTimeout(() => {
      write(`Did not stop within ${Math.round((options.graceMs ?? STOP_GRACE_MS) / 1000)} s; exiting.\n`);
      exit(1);
    }, options.graceMs ?? STOP_GRACE_MS).unref();
    resolveStopped(signal);
    options.onStop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    get requested() {
      return requested;
    },
    stopped,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // Stopped, but a hung call (left behind by its deadline) can keep the event loop alive: end it.
      if (requested) setTimeout(() => exit(process.exitCode === undefined ? 0 : Number(process.exitCode)), 200).unref();
    },
  };
}
