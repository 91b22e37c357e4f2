import { HeirloomError } from '../../shared/errors.js';
import type { RestoreEvent } from '../../shared/events.js';
import { submitFarmJob } from '../farm/farm-submitter.js';
import { jobSettingsOf, type RestoreEngine, type RestoreRequest, type RestoreSummary, type RunControls } from '../restore/restore-engine.js';
import type { JobStore } from '../store/job-store.js';
import type { FarmSettingsStore } from './farm-settings-store.js';
import type { RestoreRunner } from './ports.js';

/** The kind of a studio job sent to the farm (the Restore screen's "Send to the farm"). */
export const FARM_KIND = 'farm';

/**
 * The studio's runner: a job of kind 'farm' goes to the farm set in Settings (the same
 * events, each with its worker, and recorded in this history as it streams); every other
 * job runs on this computer's engine.
 */
export class FarmAwareRunner implements RestoreRunner {
  constructor(
    private readonly engine: RestoreEngine,
    private readonly farm: FarmSettingsStore,
    private readonly jobs: JobStore,
  ) {}

  async run(request: RestoreRequest, emit: (event: RestoreEvent) => void, controls: RunControls): Promise<RestoreSummary> {
    if (request.kind !== FARM_KIND) return this.engine.run(request, emit, controls);
    const url = await this.farm.url();
    if (!url) throw new HeirloomError('USAGE', 'This job was to go to the farm, but no farm is set. Set its Redis URL in Settings, or start the job again without "Send to the farm".');
    return submitFarmJob({
      redisUrl: url,
      inputs: request.inputs,
      outDir: request.outDir,
      settings: jobSettingsOf(request),
      identify: (path, signal) => this.engine.identities.identify(path, signal),
      emit,
      ...(controls.signal ? { signal: controls.signal } : {}),
      // Pause takes back what no worker started (what runs finishes); History's Resume re-sends what is not done.
      ...(controls.pause ? { pause: controls.pause } : {}),
      ...(request.resumeJobId ? { resumeJobId: request.resumeJobId } : {}),
      history: { jobs: this.jobs, owner: this.engine.recovery.owner.token },
    });
  }
}
