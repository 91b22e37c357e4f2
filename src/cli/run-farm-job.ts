import type { JobSettings } from '../shared/job-settings.js';
import { submitFarmJob } from '../core/farm/farm-submitter.js';
import { runCliJob } from './run-restore-job.js';

/**
 * `heirloom restore --redis`: the job goes to the farm instead of running here. The same
 * events as a local run (each with the worker's name); Ctrl+C takes back what no worker has
 * started; exit code 1 when a photo failed or the job was cancelled.
 */
export function runFarmJob(options: { json?: boolean; home?: string; redisUrl: string }, request: { inputs: string[]; outDir: string; settings: JobSettings }): Promise<void> {
  // This machine's data folder: its hash cache (a photo hashed before is not read again) and its history.
  return runCliJob({ ...options, stopMessage: 'Stopping: taking back the photos no worker has started...' }, (services, emit, signal) =>
    submitFarmJob({
      redisUrl: options.redisUrl,
      ...request,
      identify: (path, photoSignal) => services.engine.identities.identify(path, photoSignal),
      emit,
      signal,
      history: { jobs: services.jobs, owner: services.engine.recovery.owner.token },
    }),
  );
}
