import type { RestoreEvent } from '../../shared/events.js';
import type { JobSettings } from '../../shared/job-settings.js';
import type { JobStore } from '../store/job-store.js';

/**
 * The sending machine's own record of a farm job, in its local history (kind 'farm'): the
 * job with its settings, the farm it went to as its device (without the password), each photo's state
 * and output as the workers report them (a failure or skip names its worker). The farm's record (which worker,
 * in Redis) is the queue's own.
 */
export class FarmJobHistory {
  private readonly positions = new Map<string, number>();

  constructor(
    private readonly jobs: JobStore,
    private readonly jobId: string,
  ) {}

  start(job: { inputs: string[]; outDir: string; settings: JobSettings; farm: string; photos: string[]; owner?: string }): void {
    job.photos.forEach((path, position) => this.positions.set(path, position));
    this.jobs.createJob({
      id: this.jobId,
      kind: 'farm',
      settings: { ...job.settings, inputs: job.inputs, outDir: job.outDir },
      modelId: job.settings.modelId ?? 'default',
      deviceId: `farm ${job.farm}`,
      inputs: job.photos,
      ...(job.owner ? { owner: job.owner } : {}),
    });
  }

  event(event: RestoreEvent): void {
    if (event.type === 'job-finished') {
      this.jobs.finishJob(this.jobId, { status: event.cancelled ? 'cancelled' : 'finished', ms: event.ms });
      return;
    }
    if (event.type !== 'file-done' && event.type !== 'file-failed' && event.type !== 'file-skipped') return;
    const position = this.positions.get(event.file);
    if (position === undefined) return;
    const where = event.worker ? ` (on ${event.worker})` : '';
    if (event.type === 'file-done') this.jobs.markFileDone(this.jobId, position, { outputPath: event.output, width: event.width, height: event.height, ms: event.ms });
    else if (event.type === 'file-failed') this.jobs.markFileFailed(this.jobId, position, { code: event.code, message: `${event.message}${where}` });
    else this.jobs.markFileSkipped(this.jobId, position, event.output ?? null, `${event.reason}${where}`);
  }
}
