import type { PhotoRef, QueueFile, QueueFileStatus, QueuePhotoCounts } from '../../shared/contract-views.js';

/** A job with at most this many photos lists them all in the queue view. */
export const LIST_ALL_UP_TO = 100;
/** A bigger job lists its running photos and this many of each: latest finished, latest failed, next waiting. */
export const LISTED_EACH = 20;

/**
 * The photos of one queued job: every photo's row, its counts by status, and the rows the
 * queue view lists. A job of 100,000 photos must not send 100,000 rows to the page on every
 * change (31 MB and 200 ms of copying each time): past LIST_ALL_UP_TO it lists a window
 * (what runs, what just finished or failed, what comes next) and counts the rest, and
 * each change costs the same whatever the job's size.
 */
export class QueuePhotos {
  private readonly byPath = new Map<string, QueueFile>();
  private readonly order: QueueFile[] = [];
  private readonly position = new Map<QueueFile, number>();
  private readonly counts: Record<QueueFileStatus, number> = { queued: 0, running: 0, done: 0, failed: 0, skipped: 0, cancelled: 0 };
  private readonly running = new Set<QueueFile>();
  /** Waiting photos in the job's order: the next ones are its first, however many the engine never reported. */
  private readonly waiting = new Set<QueueFile>();
  private finished: QueueFile[] = [];
  private failed: QueueFile[] = [];

  constructor(private readonly photoRef: (path: string) => PhotoRef) {}

  /** The photo's row; a photo the queue did not list (the engine found more) is added, waiting. */
  row(path: string): QueueFile {
    const known = this.byPath.get(path);
    if (known) return known;
    const file: QueueFile = { ...this.photoRef(path), status: 'queued', stage: 'queued', value: 0, tile: 0, tiles: 0 };
    this.byPath.set(path, file);
    this.position.set(file, this.order.length);
    this.order.push(file);
    this.counts.queued++;
    this.waiting.add(file);
    return file;
  }

  /** Moves a photo to a status, keeping the counts and the listed window. */
  setStatus(file: QueueFile, status: QueueFileStatus): void {
    if (file.status === status) return;
    this.counts[file.status]--;
    this.counts[status]++;
    const was = file.status;
    if (was === 'queued') this.waiting.delete(file);
    if (was === 'running') this.running.delete(file);
    if (was === 'failed') this.failed = this.failed.filter((f) => f !== file);
    if (was === 'done' || was === 'skipped') this.finished = this.finished.filter((f) => f !== file);
    file.status = status;
    if (status === 'queued') this.waiting.add(file);
    if (status === 'running') this.running.add(file);
    if (status === 'done' || status === 'skipped') this.finished = latest(this.finished, file);
    if (status === 'failed') this.failed = latest(this.failed, file);
  }

  /** Photos not finished become cancelled (the job ended or was dropped). */
  cancelUnfinished(): void {
    for (const file of [...this.waiting, ...this.running]) this.setStatus(file, 'cancelled');
  }

  tally(): QueuePhotoCounts {
    return { total: this.order.length, ...this.counts };
  }

  /** How far each running photo is (0..1). */
  runningFractions(): number[] {
    return [...this.running].map((f) => f.value);
  }

  /** The rows the queue view lists, in the job's order: all of a small job's; a big job's window. */
  listed(): QueueFile[] {
    if (this.order.length <= LIST_ALL_UP_TO) return this.order;
    const shown = new Set<QueueFile>([...this.failed, ...this.finished, ...this.running]);
    let next = 0;
    for (const file of this.waiting) {
      if (next++ === LISTED_EACH) break;
      shown.add(file);
    }
    return [...shown].sort((a, b) => this.position.get(a)! - this.position.get(b)!);
  }

  /** Whether one of these photos was restored to this output. */
  wrote(output: string): boolean {
    return this.order.some((f) => f.output?.path === output);
  }
}

/** The last LISTED_EACH of a list with `file` (not in it: setStatus took it out) added at the end. */
function latest(list: QueueFile[], file: QueueFile): QueueFile[] {
  return [...list, file].slice(-LISTED_EACH);
}
