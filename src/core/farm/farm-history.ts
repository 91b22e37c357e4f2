import { HeirloomError } from '../../shared/errors.js';
import type { RestoreEvent } from '../../shared/events.js';
import type { JobSettings } from '../../shared/job-settings.js';
import type { JobFileRecord, JobStore } from '../store/job-store.js';

/**
 * The sending machine's own record of a farm job, in its local history (kind 'farm'): the
 * job with its settings, the farm it went to as its device (without the password), each
 * photo as it is reached, and its state, output and worker as the workers report them. The
 * job is created unlisted and marked listed when the listing ends, so a resume lists the
 * inputs again. Rows are written in batches (flush), always before the photo is queued.
 */
export class FarmJobHistory {
  private readonly positions = new Map<string, number>();
  private readonly rows: Array<{ position: number; path: string }> = [];
  private nextPosition = 0;

  private constructor(
    private readonly jobs: JobStore,
    readonly jobId: string,
    /** Photos a resumed job had already finished (done or skipped): not sent again. */
    readonly finished: ReadonlySet<string>,
  ) {}

  static start(jobs: JobStore, jobId: string, job: { inputs: string[]; outDir: string; settings: JobSettings; farm: string; owner?: string }): FarmJobHistory {
    jobs.createJob({
      id: jobId,
      kind: 'farm',
      settings: { ...job.settings, inputs: job.inputs, outDir: job.outDir },
      modelId: job.settings.modelId ?? 'default',
      deviceId: `farm ${job.farm}`,
      inputs: [],
      listing: true,
      ...(job.owner ? { owner: job.owner } : {}),
    });
    return new FarmJobHistory(jobs, jobId, new Set());
  }

  /** Takes over a farm job of this history (History's Resume): its photos keep their rows, finished ones are not sent again. */
  static resume(jobs: JobStore, jobId: string, owner: string): FarmJobHistory {
    const job = jobs.getJob(jobId);
    if (!job || job.kind !== 'farm') throw new HeirloomError('NOT_FOUND', `There is no farm job ${jobId} in this history. List jobs with "heirloom history".`);
    if (!jobs.takeOverJob(jobId, owner)) throw new HeirloomError('USAGE', `Farm job ${jobId} is still being sent. Wait for it or stop it first, then resume.`);
    const history = new FarmJobHistory(jobs, jobId, new Set(job.files.filter(isFinished).map((f) => f.inputPath)));
    for (const file of job.files) history.positions.set(file.inputPath, file.position);
    history.nextPosition = job.files.reduce((max, f) => Math.max(max, f.position + 1), 0);
    return history;
  }

  /** A photo reached by the listing (recorded at the next flush; a photo it already has keeps its row). */
  reach(path: string): void {
    if (this.positions.has(path)) return;
    const position = this.nextPosition++;
    this.positions.set(path, position);
    this.rows.push({ position, path });
  }

  /** Writes the photos reached since the last flush, in one transaction. */
  flush(): void {
    if (this.rows.length === 0) return;
    const rows = this.rows.splice(0);
    this.jobs.batch(() => {
      for (const row of rows) this.jobs.addFile(this.jobId, row.position, row.path, {});
    });
  }

  /** The listing reached its end: every photo is recorded. */
  listed(): void {
    this.flush();
    this.jobs.markListed(this.jobId);
  }

  event(event: RestoreEvent): void {
    if (event.type === 'job-finished') {
      this.flush();
      this.jobs.finishJob(this.jobId, { status: event.cancelled ? 'cancelled' : 'finished', ms: event.ms });
      return;
    }
    if (event.type !== 'file-done' && event.type !== 'file-failed' && event.type !== 'file-skipped') return;
    const position = this.positions.get(event.file);
    if (position === undefined) return;
    this.flush();
    const ranOn = event.worker ? { ranOn: event.worker } : {};
    if (event.type === 'file-done') this.jobs.markFileDone(this.jobId, position, { outputPath: event.output, width: event.width, height: event.height, ms: event.ms, ...ranOn });
    else if (event.type === 'file-failed') this.jobs.markFileFailed(this.jobId, position, { code: event.code, message: event.message, ...ranOn });
    else this.jobs.markFileSkipped(this.jobId, position, event.output ?? null, event.reason, event.worker);
  }

  /** Photos taken back from the queue by a cancel (or never sent): cancelled, so a resume sends them again. */
  cancelled(paths: Iterable<string>): void {
    this.flush();
    this.jobs.batch(() => {
      for (const path of paths) {
        const position = this.positions.get(path);
        if (position !== undefined) this.jobs.markFileCancelled(this.jobId, position);
      }
    });
  }
}

function isFinished(file: JobFileRecord): boolean {
  return file.status === 'done' || file.status === 'skipped';
}
