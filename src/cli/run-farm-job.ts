import type { JobSettings } from '../shared/job-settings.js';
import { submitFarmJob } from '../core/farm/farm-submitter.js';
import { HumanReporter, JsonReporter } from './reporter.js';
import { CliServices } from './services.js';
import { stopOnSignals } from './stop-signals.js';

/**
 * `heirloom restore --redis`: the job goes to the farm instead of running here. The same
 * events as a local run (each with the worker's name); Ctrl+C takes back what no worker has
 * started; exit code 1 when a photo failed or the job was cancelled.
 */
export async function runFarmJob(options: { json?: boolean; home?: string; redisUrl: string }, request: { inputs: string[]; outDir: string; settings: JobSettings }): Promise<void> {
  const reporter = options.json ? new JsonReporter() : new HumanReporter();
  // This machine's data folder: its hash cache (a photo hashed before is not read again).
  const services = new CliServices(options.home, (notice) => reporter.event({ type: 'warning', code: notice.code, message: notice.message }));
  const abort = new AbortController();
  const stop = stopOnSignals({ onStop: () => abort.abort(), ...(options.json ? {} : { message: 'Stopping: taking back the photos no worker has started...' }) });
  try {
    const summary = await submitFarmJob({
      redisUrl: options.redisUrl,
      ...request,
      identify: (path, signal) => services.engine.identities.identify(path, signal),
      emit: (event) => reporter.event(event),
      signal: abort.signal,
      history: { jobs: services.jobs, owner: services.engine.recovery.owner.token },
    });
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
