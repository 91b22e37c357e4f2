import type { RestoreRequest, RestoreSummary } from '../core/restore/restore-engine.js';
import type { RestoreEvent } from '../shared/events.js';
import { HumanReporter, JsonReporter } from './reporter.js';
import { CliServices } from './services.js';
import { stopOnSignals } from './stop-signals.js';

/** What a command's job does, given the services, where its events go, and the stop signal. */
export type CliJob = (services: CliServices, emit: (event: RestoreEvent) => void, signal: AbortSignal) => Promise<RestoreSummary>;

/**
 * Runs one job for a command (restore, resume, restore --redis): events to the chosen
 * reporter, Ctrl+C or SIGTERM stops it (and the process ends within 5 s whatever hangs),
 * exit code 1 when a photo failed or the job was cancelled, and the services are disposed
 * whatever happens.
 */
export async function runCliJob(options: { json?: boolean; home?: string; stopMessage: string }, job: CliJob): Promise<void> {
  const reporter = options.json ? new JsonReporter() : new HumanReporter();
  // A replaced history database is reported like any warning (an event with --json).
  const services = new CliServices(options.home, (notice) => reporter.event({ type: 'warning', code: notice.code, message: notice.message }));
  const abort = new AbortController();
  // Ctrl+C / SIGTERM: cancel within a batch (or a folder call, a hash, a tuning run); exit anyway after STOP_GRACE_MS.
  const stop = stopOnSignals({ onStop: () => abort.abort(), ...(options.json ? {} : { message: options.stopMessage }) });
  try {
    const summary = await job(services, (event) => reporter.event(event), abort.signal);
    process.exitCode = summary.failed > 0 || summary.cancelled ? 1 : 0;
  } finally {
    reporter.close();
    try {
      await services.dispose();
    } finally {
      stop.dispose();
    }
  }
}

/** A local restore job (restore, resume). */
export function runRestoreJob(options: { json?: boolean; home?: string }, requestFor: (services: CliServices) => RestoreRequest): Promise<void> {
  return runCliJob({ ...options, stopMessage: 'Stopping: cancelling the job (heirloom resume continues it)...' }, (services, emit, signal) => services.engine.run(requestFor(services), emit, signal));
}
