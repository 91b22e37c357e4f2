import type { Db } from '../store/database.js';
import { JobStore } from '../store/job-store.js';
import { WatchStore } from '../store/watch-store.js';
import { WatchService, type WatchEngine, type WatchServiceOptions } from './watch-service.js';

/**
 * For a composition root (the app, `heirloom serve`): the watch service over the runtime's
 * database and engine, started in the background (recovery, interrupted jobs, then every
 * folder that is not paused). Fits StudioRuntimeOptions.watch:
 * `watch: (deps) => startWatchService(deps, {}, log)`.
 */
export function startWatchService(deps: { db: Db; engine: WatchEngine }, options: WatchServiceOptions = {}, log?: (message: string, error?: unknown) => void): WatchService {
  const service = new WatchService({ store: new WatchStore(deps.db), jobs: new JobStore(deps.db), engine: deps.engine }, options);
  service.start().catch((error: unknown) => log?.('watch folders could not start', error));
  return service;
}
