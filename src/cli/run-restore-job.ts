import type { RestoreRequest } from '../core/restore/restore-engine.js';
import { HumanReporter, JsonReporter } from './reporter.js';
import { CliServices } from './services.js';
import { stopOnSignals } from './stop-signals.js';

/**
 * Runs one restore job for a command (restore, resume): events to the chosen reporter,
 * Ctrl+C or SIGTERM cancels within a batch (and the process ends within 5 s whatever
 * hangs), exit code 1 when a photo failed or the job was cancelled, and the services are
 * disposed whatever happens.
 */
export async function runRestoreJob(options: { json?: boolean; home?: string }, requestFor: (services: CliServices) => RestoreRequest): Promise<void> {
  const reporter = options.json ? new JsonReporter() : new HumanReporter();
  // A replaced history database is reported like any warning (an event with --json).
  const services = new CliServices(options.home, (notice) => reporter.event({ type: 'warning', code: notice.code, message: notice.message }));
  const abort = new AbortController();
  // Ctrl+C / SIGTERM: cancel within a batch (or a folder call, a hash, a tuning run); exit anyway after STOP_GRACE_MS.
  const stop = stopOnSignals({ onStop: () => abort.abort(), ...(options.json ? {} : { message: 'Stopping: cancelling the job (heirloom resume continues it)...' }) });
  try {
    const summary = await services.engine.run(requestFor(services), (event) => reporter.event(event), abort.signal);
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
