import { randomBytes } from 'node:crypto';
import type { DeviceReading, JobSettingsView, PhotoRef, QueueItem, QueueItemState, QueueSnapshot } from '../../shared/contract-views.js';
import { toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import type { RestoreEvent } from '../../shared/events.js';
import { jobOutcome } from '../../shared/job-outcome.js';
import type { RestoreRequest } from '../restore/restore-engine.js';
import { PauseGate } from '../scheduler/pause-gate.js';
import { estimateRemainingMs } from './eta.js';
import type { RestoreRunner } from './ports.js';
import type { QueueJournalPort } from './queue-journal.js';
import { inUseStoreError } from '../store/store-errors.js';
import { maskPathFor } from '../stages/mask-path.js';
import { QueuePhotos } from './queue-photos.js';

export interface JobQueueOptions {
  runner: RestoreRunner;
  /** Makes a displayable reference for a photo (grants it to the page). */
  photoRef(path: string): PhotoRef;
  /** Every restore event of the running job, with the job's ETA filled in on progress. */
  onEvent(event: RestoreEvent): void;
  /** The queue changed shape (read it with snapshot()). */
  onChange(): void;
  now?: () => number;
  /** Finished / cancelled / failed jobs kept in the queue view. */
  keepFinished?: number;
  /** Where queued jobs are recorded before they are shown, so a restart or a crash keeps them (QueueJournal). */
  journal?: QueueJournalPort;
  /**
   * How long a cancelled job may take to stop before the queue stops waiting for it and
   * goes on (default 5 s). Whatever it was stuck in is left behind; its photos are cancelled.
   */
  cancelGraceMs?: number;
  log?: (message: string, error?: unknown) => void;
}

interface QueueEntry {
  /** The view less its photos, which `photos` holds and lists (viewOf). */
  view: Omit<QueueItem, 'files' | 'photos'>;
  request: RestoreRequest;
  photos: QueuePhotos;
  abort: AbortController;
  /** The queued record in the journal, until the engine's own job takes over (job-started). */
  recordId?: string;
  /** The queue stopped waiting for it (a cancel that did not finish in time): its late result is ignored. */
  abandoned?: boolean;
  /** Runs out the cancel's grace period (cleared when the run ends in time). */
  cancelTimer?: ReturnType<typeof setTimeout>;
  /** When the first photo started (the ETA's clock: model loading and tuning are not photo work). */
  workStartedAt?: number;
}

const DEFAULT_CANCEL_GRACE_MS = 5000;
const FINISHED_STATES: ReadonlySet<QueueItemState> = new Set(['finished', 'finished-with-errors', 'cancelled', 'failed', 'interrupted']);
const MAX_WARNINGS = 20;

/**
 * The studio's job queue: runs one job at a time through the RestoreEngine, in the order
 * they were added.
 *
 * Pause holds the queue and the running job: no next job starts, and the engine's
 * scheduler (through the shared PauseGate) stops before its next photo and its next batch
 * of tiles; a batch already on the device finishes. Resume releases both. Cancel aborts
 * the running job (also while paused) or drops a queued one.
 */
export class JobQueue {
  private readonly entries: QueueEntry[] = [];
  private readonly gate = new PauseGate();
  private readonly readings: Record<string, DeviceReading> = {};
  private running: QueueEntry | undefined;
  private runningDone: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];
  private disposed = false;
  private readonly now: () => number;

  constructor(private readonly options: JobQueueOptions) {
    this.now = options.now ?? Date.now;
  }

  get paused(): boolean {
    return this.gate.isPaused;
  }

  /** Adds a job; `files` are the photos found in the request's inputs, in the engine's order. */
  enqueue(input: { request: RestoreRequest; settings: JobSettingsView; files: string[]; recordId?: string }): QueueItem {
    if (this.disposed) throw new Error('The job queue was disposed.');
    const known = input.recordId === undefined ? undefined : this.entries.find((e) => e.recordId === input.recordId);
    if (known) return structuredClone(viewOf(known));
    // Durable before it is shown: a restart (or a crash) finds it in the store. A job that
    // continues an interrupted one is durable already (its own record stays 'interrupted' until it runs).
    const recordId = input.recordId ?? (input.request.resumeJobId ? undefined : this.options.journal?.queued(input));
    const photos = new QueuePhotos(this.options.photoRef);
    for (const path of input.files) photos.row(path);
    const entry: QueueEntry = {
      view: { id: `q-${randomBytes(6).toString('hex')}`, state: 'queued', settings: input.settings, createdAt: this.now(), warnings: [], cancelRequested: false },
      request: input.request,
      photos,
      abort: new AbortController(),
      ...(recordId ? { recordId } : {}),
    };
    this.entries.push(entry);
    this.options.onChange();
    this.pump();
    return structuredClone(viewOf(entry));
  }

  cancel(queueId: string): QueueItemState | undefined {
    const entry = this.entries.find((e) => e.view.id === queueId);
    if (!entry) return undefined;
    if (FINISHED_STATES.has(entry.view.state)) return entry.view.state;
    entry.view.cancelRequested = true;
    entry.abort.abort();
    if (entry !== this.running) {
      entry.view.state = 'cancelled';
      entry.view.finishedAt = this.now();
      entry.photos.cancelUnfinished();
      // A shutdown is not the user's cancel: its queued jobs stay queued in the store for the next launch.
      if (!this.disposed) this.journalEnded(entry, { status: 'cancelled' });
      this.trimFinished();
    } else {
      this.abandonIfStuck(entry);
    }
    this.options.onChange();
    this.pump();
    return entry.view.state;
  }

  pause(): void {
    if (this.gate.isPaused) return;
    this.gate.pause();
    if (this.running && !this.running.view.cancelRequested) this.running.view.state = 'paused';
    this.options.onChange();
  }

  resume(): void {
    if (!this.gate.isPaused) return;
    this.gate.resume();
    if (this.running?.view.state === 'paused') this.running.view.state = 'running';
    this.options.onChange();
    this.pump();
  }

  /** Drops finished, cancelled and failed jobs from the queue view (the history keeps them). */
  clearFinished(): void {
    for (let i = this.entries.length - 1; i >= 0; i--) if (FINISHED_STATES.has(this.entries[i]!.view.state)) this.entries.splice(i, 1);
    this.options.onChange();
  }

  snapshot(): QueueSnapshot {
    return structuredClone({ paused: this.gate.isPaused, items: this.entries.map(viewOf), devices: this.readings });
  }

  /** Whether a job of the history is in the queue, waiting or running (not yet finished). */
  hasJob(jobId: string): boolean {
    return this.entries.some((e) => !FINISHED_STATES.has(e.view.state) && (e.view.jobId === jobId || e.request.resumeJobId === jobId));
  }

  /** Whether a job in the queue wrote this output. */
  hasOutput(path: string): boolean {
    return this.entries.some((e) => e.photos.wrote(path));
  }

  /** Resolves when no job runs or waits (a paused queue with waiting jobs is not idle). */
  whenIdle(): Promise<void> {
    if (!this.running && !this.entries.some((e) => e.view.state === 'queued')) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Cancels everything and waits (at most the cancel grace) for the running job to stop.
   * Queued jobs stay queued in the journal, and the running job is recorded as
   * interrupted: the next launch brings both back.
   */
  async dispose(): Promise<void> {
    this.disposed = true;
    const running = this.running;
    for (const entry of this.entries) if (!FINISHED_STATES.has(entry.view.state)) this.cancel(entry.view.id);
    this.gate.resume();
    const done = this.runningDone;
    if (done) {
      // A run stuck below its cancel is not waited for past the grace period.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS);
        void done.finally(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const jobId = running?.view.jobId;
    if (this.options.journal && running && jobId && running.view.state === 'cancelled') {
      this.options.journal.interrupted(jobId);
      running.view.state = 'interrupted';
    }
  }

  private pump(): void {
    if (this.running) return;
    const waiting = this.entries.find((e) => e.view.state === 'queued');
    if (!waiting) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
      return;
    }
    if (this.disposed || this.gate.isPaused) return;
    const next = waiting;
    this.running = next;
    next.view.state = 'running';
    next.view.startedAt = this.now();
    this.options.onChange();
    const done = this.run(next).finally(() => {
      clearTimeout(next.cancelTimer);
      if (this.running !== next) return; // abandoned: the queue already went on
      this.running = undefined;
      this.runningDone = undefined;
      this.pump();
    });
    this.runningDone = done;
  }

  /**
   * A cancel that does not finish within the grace period (something below is stuck: a
   * folder call, a device) is not waited for: the job is shown cancelled and the next one
   * starts. A late result of the stuck run is ignored.
   */
  private abandonIfStuck(entry: QueueEntry): void {
    if (entry.cancelTimer) return;
    entry.cancelTimer = setTimeout(() => {
      if (this.running !== entry) return;
      entry.abandoned = true;
      this.options.log?.(`job ${entry.view.jobId ?? entry.view.id} did not stop within ${Math.round((this.options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS) / 1000)} s of its cancel; the queue goes on without it`);
      this.settle(entry, 'cancelled');
      if (entry.recordId) this.journalEnded(entry, { status: 'cancelled' });
      this.running = undefined;
      this.runningDone = undefined;
      this.options.onChange();
      this.pump();
    }, this.options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS);
  }

  private journalEnded(entry: QueueEntry, outcome: { status: 'cancelled' } | { status: 'failed'; error: ErrorInfo }): void {
    if (!entry.recordId) return;
    const recordId = entry.recordId;
    delete entry.recordId;
    try {
      this.options.journal?.ended(recordId, outcome);
    } catch (error) {
      this.options.log?.(`could not record the end of queued job ${recordId}`, error);
    }
  }

  /** The job's final state in the view; photos not finished are cancelled. */
  private settle(entry: QueueEntry, state: QueueItemState): void {
    entry.view.state = state;
    entry.view.finishedAt = this.now();
    delete entry.view.etaMs;
    entry.photos.cancelUnfinished();
    this.trimFinished();
  }

  private async run(entry: QueueEntry): Promise<void> {
    const { view } = entry;
    let state: QueueItemState;
    try {
      const summary = await this.options.runner.run(entry.request, (event) => {
        if (!entry.abandoned) this.handle(entry, event);
      }, { signal: entry.abort.signal, pause: this.gate });
      if (entry.abandoned) return;
      view.summary = { succeeded: summary.succeeded, failed: summary.failed, skipped: summary.skipped, cancelled: summary.cancelled, ms: summary.ms };
      // Honest: a job whose photos failed is "finished with errors", or "failed" when none was restored.
      state = jobOutcome(summary);
    } catch (error) {
      if (entry.abandoned) return;
      const info = toErrorInfo(inUseStoreError(error) ?? error);
      if (info.code === 'CANCELLED' || entry.abort.signal.aborted) {
        state = 'cancelled';
        if (!this.disposed) this.journalEnded(entry, { status: 'cancelled' });
      } else {
        state = 'failed';
        view.error = info;
        this.journalEnded(entry, { status: 'failed', error: info });
      }
    }
    this.settle(entry, state);
    this.options.onChange();
  }

  private handle(entry: QueueEntry, event: RestoreEvent): void {
    const { view } = entry;
    switch (event.type) {
      case 'job-started':
        view.jobId = event.jobId;
        // The engine's own job record takes over from the queued one.
        if (entry.recordId) {
          this.options.journal?.started(entry.recordId);
          delete entry.recordId;
        }
        view.model = event.model;
        view.device = event.device;
        break;
      case 'progress': {
        const file = entry.photos.row(event.file);
        if (file.status === 'queued') entry.photos.setStatus(file, 'running');
        file.stage = event.stage;
        file.value = event.value;
        file.tile = event.tile;
        file.tiles = event.tiles;
        entry.workStartedAt ??= this.now();
        const etaMs = event.etaMs ?? this.estimate(entry);
        const withEta = etaMs === undefined ? event : { ...event, etaMs };
        view.progress = withEta;
        if (etaMs !== undefined) view.etaMs = etaMs;
        else delete view.etaMs;
        // Before a photo's first batch is planned (decoding) the scheduler has no reading: 0.
        if (event.recommendedBatch > 0) {
          this.readings[event.device] = {
            device: event.device,
            batchSize: event.batchSize,
            recommendedBatch: event.recommendedBatch,
            tileSize: event.tileSize,
            ...(event.memory ? { memory: event.memory } : {}),
            at: this.now(),
          };
        }
        // Progress is streamed as events; the queue's shape did not change.
        this.options.onEvent(withEta);
        return;
      }
      case 'file-done': {
        const file = entry.photos.row(event.file);
        const mask = view.settings.scratches && view.settings.saveMasks ? { mask: this.options.photoRef(maskPathFor(event.output)) } : {};
        entry.photos.setStatus(file, 'done');
        Object.assign(file, { stage: 'done', value: 1, ms: event.ms, output: { ...this.options.photoRef(event.output), width: event.width, height: event.height, ...mask } });
        if (event.notes) file.notes = event.notes;
        break;
      }
      case 'file-failed': {
        const file = entry.photos.row(event.file);
        entry.photos.setStatus(file, 'failed');
        Object.assign(file, { stage: 'failed', error: { code: event.code, message: event.message, ...(event.cause ? { cause: event.cause } : {}) } });
        break;
      }
      case 'file-skipped': {
        const file = entry.photos.row(event.file);
        entry.photos.setStatus(file, 'skipped');
        Object.assign(file, { stage: 'skipped', value: 1, notes: [event.reason] });
        if (event.output) file.output = { ...this.options.photoRef(event.output), width: 0, height: 0 };
        break;
      }
      case 'job-listing':
        view.listing = { files: event.files, done: event.done };
        break;
      case 'warning':
        if (view.warnings.length < MAX_WARNINGS) view.warnings.push(event.message);
        break;
      case 'job-finished':
        view.summary = { succeeded: event.succeeded, failed: event.failed, skipped: event.skipped, cancelled: event.cancelled, ms: event.ms };
        break;
    }
    this.options.onEvent(event);
    this.options.onChange();
  }

  private estimate(entry: QueueEntry): number | undefined {
    const counts = entry.photos.tally();
    return estimateRemainingMs({
      startedAt: entry.workStartedAt ?? this.now(),
      now: this.now(),
      totalPhotos: counts.total,
      finishedPhotos: counts.total - counts.queued - counts.running,
      runningFractions: entry.photos.runningFractions(),
    });
  }

  private trimFinished(): void {
    const keep = this.options.keepFinished ?? 30;
    const finished = this.entries.filter((e) => FINISHED_STATES.has(e.view.state));
    for (const old of finished.slice(0, Math.max(0, finished.length - keep))) this.entries.splice(this.entries.indexOf(old), 1);
  }
}

/** What the page sees of a queued job: its photos counted, and the ones listed. */
function viewOf(entry: QueueEntry): QueueItem {
  return { ...entry.view, files: entry.photos.listed(), photos: entry.photos.tally() };
}
