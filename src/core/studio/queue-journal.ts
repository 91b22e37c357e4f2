import type { JobSettingsView } from '../../shared/contract-views.js';
import type { ErrorInfo } from '../../shared/errors.js';
import type { RestoreRequest } from '../restore/restore-engine.js';
import { newJobId } from '../restore/job-id.js';
import type { JobStore } from '../store/job-store.js';

/** A job the studio's queue holds, as the journal keeps it. */
export interface JournalEntry {
  request: RestoreRequest;
  settings: JobSettingsView;
  files: string[];
}

/** A queued job found in the store after a restart. */
export interface PendingEntry extends JournalEntry {
  recordId: string;
}

/** What the job queue tells the store, so that nothing a user queued is lost by a restart or a crash. */
export interface QueueJournalPort {
  /** Before the queue shows a job: recorded as 'queued'. Returns the record's id. */
  queued(entry: JournalEntry): string;
  /** The engine started the job under its own record (job-started): the queued record goes. */
  started(recordId: string): void;
  /** The job ended before it started: cancelled, or failed (an output folder that cannot be written...). */
  ended(recordId: string, outcome: { status: 'cancelled' } | { status: 'failed'; error: ErrorInfo }): void;
  /** The running job was stopped by a shutdown, not by the user: it is resumed on the next launch. */
  interrupted(jobId: string): void;
}

const VIEW_KEY = 'queueView';

/**
 * The studio queue's durable side, in the history database: a queued job is a job record
 * with status 'queued' whose settings hold the request; the queue restores them on launch.
 */
export class QueueJournal implements QueueJournalPort {
  constructor(private readonly jobs: Pick<JobStore, 'createQueuedJob' | 'removeQueuedJob' | 'endQueuedJob' | 'markJobInterrupted' | 'queuedJobs'>) {}

  queued(entry: JournalEntry): string {
    const id = newJobId();
    this.jobs.createQueuedJob({
      id,
      settings: { ...JSON.parse(JSON.stringify(entry.request)), [VIEW_KEY]: entry.settings },
      modelId: entry.request.modelId ?? entry.settings.modelId ?? '',
      deviceId: entry.request.deviceId ?? '',
      inputs: entry.files,
    });
    return id;
  }

  started(recordId: string): void {
    this.jobs.removeQueuedJob(recordId);
  }

  ended(recordId: string, outcome: { status: 'cancelled' } | { status: 'failed'; error: ErrorInfo }): void {
    this.jobs.endQueuedJob(recordId, outcome.status === 'failed' ? { status: 'failed', code: outcome.error.code, message: outcome.error.message } : outcome);
  }

  interrupted(jobId: string): void {
    this.jobs.markJobInterrupted(jobId);
  }

  /** The jobs still queued when the last process ended, oldest first. */
  pending(): PendingEntry[] {
    return this.jobs.queuedJobs().flatMap((job) => {
      const { [VIEW_KEY]: view, ...request } = job.settings;
      if (typeof request.outDir !== 'string' || !Array.isArray(request.inputs)) return [];
      const settings = (view && typeof view === 'object' ? view : { outDir: request.outDir }) as JobSettingsView;
      return [{ recordId: job.id, request: request as unknown as RestoreRequest, settings, files: job.files.map((f) => f.inputPath) }];
    });
  }
}
