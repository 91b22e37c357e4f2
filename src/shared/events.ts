import type { JobOutcome } from './job-outcome.js';

/**
 * The restore event stream: what `heirloom restore --json` prints (one object per line),
 * what the app sends over IPC, and what the watcher logs. One contract for all of them.
 */

export type Stage = 'queued' | 'decoding' | 'inferring' | 'encoding' | 'done' | 'failed' | 'skipped';

export interface MemoryReading {
  /** Bytes the scheduler allows itself on this device. */
  budgetBytes: number;
  /** Bytes the memory model expects the current batch to need. */
  estimateBytes: number;
  /** Smoothed free bytes the budget was derived from. */
  freeBytes: number;
}

export interface ProgressEvent {
  type: 'progress';
  jobId: string;
  file: string;
  stage: Stage;
  /** 0..1 for this file. */
  value: number;
  /** Tiles of this file finished so far, and in all. */
  tile: number;
  tiles: number;
  batchSize: number;
  recommendedBatch: number;
  tileSize: number;
  device: string;
  memory?: MemoryReading;
  /** Smoothed estimate for the whole job, milliseconds. */
  etaMs?: number;
  faces?: number;
}

export interface FileDoneEvent {
  type: 'file-done';
  jobId: string;
  file: string;
  output: string;
  width: number;
  height: number;
  ms: number;
  /** Notes the user should see (e.g. "first page of 3 restored"). */
  notes?: string[];
}

export interface FileFailedEvent {
  type: 'file-failed';
  jobId: string;
  file: string;
  code: string;
  message: string;
  cause?: string;
}

export interface FileSkippedEvent {
  type: 'file-skipped';
  jobId: string;
  file: string;
  reason: string;
  output?: string;
}

export interface WarningEvent {
  type: 'warning';
  jobId?: string;
  code: string;
  message: string;
  device?: string;
}

export interface JobStartedEvent {
  type: 'job-started';
  jobId: string;
  files: number;
  model: string;
  device: string;
}

export interface JobFinishedEvent {
  type: 'job-finished';
  jobId: string;
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: boolean;
  ms: number;
  /** How it ended: 'finished-with-errors' when some photos failed, 'failed' when nothing was restored (see jobOutcome). */
  status?: JobOutcome;
}

export type RestoreEvent =
  | JobStartedEvent
  | ProgressEvent
  | FileDoneEvent
  | FileFailedEvent
  | FileSkippedEvent
  | WarningEvent
  | JobFinishedEvent;

export type RestoreEventListener = (event: RestoreEvent) => void;
