import { HeirloomError } from '../../shared/errors.js';
import { parseStoredSettings } from '../../shared/job-settings.js';
import type { JobRecord } from '../store/job-store.js';
import type { RestoreRequest } from './restore-engine.js';

/**
 * The request that continues a job with the settings it was started with (as the engine
 * recorded them): `heirloom resume`, the app on launch, a watch folder coming back.
 */
export function resumeRequest(job: JobRecord): RestoreRequest {
  const parsed = parseStoredSettings(job.settings);
  if ('error' in parsed) throw new HeirloomError('STORE_FAILED', `Job ${job.id}'s settings in the history cannot be read (${parsed.error}), so it cannot be resumed. Restore its photos again instead.`);
  const { settings } = parsed;
  return {
    ...settings,
    inputs: settings.inputs.length > 0 ? settings.inputs : job.files.map((f) => f.inputPath),
    modelId: settings.modelId ?? job.modelId,
    resumeJobId: job.id,
    kind: job.kind,
    ...(job.watchFolderId ? { watchFolderId: job.watchFolderId } : {}),
  };
}
