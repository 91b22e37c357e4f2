import { join } from 'node:path';
import { bundledModelsDir } from '../../src/core/app-paths.js';
import { ModelRegistry } from '../../src/core/models/model-registry.js';
import type { RestoreRequest } from '../../src/core/restore/restore-engine.js';
import { AppSettingsStore } from '../../src/core/studio/app-settings-store.js';
import { PhotoCatalog } from '../../src/core/studio/photo-catalog.js';
import { StudioService } from '../../src/core/studio/studio-service.js';
import type { JobRecord } from '../../src/core/store/job-store.js';

/**
 * A StudioService whose history holds just `job` and whose runner only records the requests
 * it is given (in `requests`): what the studio asks the engine for, without restoring.
 */
export function studioOverHistory(home: string, job: JobRecord, requests: RestoreRequest[]): StudioService {
  return new StudioService({
    host: 'browser',
    version: 'test',
    home,
    defaultOutputDir: join(home, 'restored'),
    runner: { run: (request) => (requests.push(request), Promise.resolve({ jobId: 'job-x', succeeded: 0, failed: 0, skipped: 0, cancelled: false, ms: 0 })) },
    history: {
      listJobs: () => [job],
      getJob: (id) => (id === job.id ? job : undefined),
      jobFiles: () => job.files,
      findFile: (id, inputPath) => (id === job.id ? job.files.find((f) => f.inputPath === inputPath) : undefined),
      wroteRecently: () => false,
    },
    models: new ModelRegistry(bundledModelsDir(), join(home, 'models')),
    appSettings: AppSettingsStore.inHome(home),
    photos: new PhotoCatalog((id, variant) => `img:${id}/${variant}`),
  });
}
