import type { JobOutcome } from './job-outcome.js';

/**
 * The restore event stream: what `heirloom restore --json` prints (one object per line),
 * what the app sends over IPC, and what the watcher logs. One contract for all of them.
 */

/**
 * Where a photo is: decoding, then each stage that works on it (repairing damage, restoring
 * faded colour, "inferring" for the super-resolution network, faces), then encoding.
 */
export type Stage = 'queued' | 'decoding' | 'repairing' | 'fading' | 'inferring' | 'faces' | 'encoding' | 'done' | 'failed' | 'skipped';

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
  /** The farm worker that restored the photo (heirloom restore --redis); absent in a local run. */
  worker?: string;
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
  /** Milliseconds each stage took, in the order they ran: decode, repair, fading, upscale, faces, encode. */
  stageMs?: Record<string, number>;
  /** The farm worker that restored the photo (heirloom restore --redis); absent in a local run. */
  worker?: string;
}

export interface FileFailedEvent {
  type: 'file-failed';
  jobId: string;
  file: string;
  code: string;
  message: string;
  cause?: string;
  /** The farm worker that restored the photo (heirloom restore --redis); absent in a local run. */
  worker?: string;
}

export interface FileSkippedEvent {
  type: 'file-skipped';
  jobId: string;
  file: string;
  reason: string;
  output?: string;
  /** The farm worker that restored the photo (heirloom restore --redis); absent in a local run. */
  worker?: string;
}

/** Warnings are a closed union too: the CLI's --json, the studio and tests branch on them. */
export const WARNING_CODES = [
  /** No photos in the inputs. */
  'NO_PHOTOS',
  /** An earlier run was interrupted and its work recovered. */
  'RECOVERED',
  /** The device asked for is unknown; another runs the job. */
  'DEVICE_NOT_FOUND',
  /** A provider could not load; the CPU runs the job. */
  'PROVIDER_UNAVAILABLE',
  /** A device setting could not be applied. */
  'INVALID_SETTING',
  /** fp16 was asked for but the model runs in fp32. */
  'PRECISION_FALLBACK',
  /** The tile size is being measured (once per device and model). */
  'TUNING',
  /** Another Heirloom process is measuring the tile size; this one waits and reuses its result. */
  'TUNING_WAIT',
  /** The history database was damaged and replaced (from a backup, or fresh); the damaged file is kept. */
  'STORE_RECOVERED',
  /** Out of memory: the batch or tile was lowered, or the photo moved to another device. */
  'OUT_OF_MEMORY_BACKOFF',
  /** A stage the user asked for cannot run (e.g. no face model installed); the others still run. */
  'STAGE_UNAVAILABLE',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export interface WarningEvent {
  type: 'warning';
  jobId?: string;
  code: WarningCode;
  message: string;
  device?: string;
  /** The farm worker that restored the photo (heirloom restore --redis); absent in a local run. */
  worker?: string;
}

export interface JobStartedEvent {
  type: 'job-started';
  jobId: string;
  /** Photos this run reports on; with `listing`, those found so far ("N+"): job-listing events follow until the total is known. */
  files: number;
  /** The inputs are still being listed (a huge folder is restored as it is listed): `files` is a lower bound. */
  listing?: boolean;
  model: string;
  device: string;
}

/** How far the listing of a job's inputs got: `files` found so far, and with `done` the job's total. */
export interface JobListingEvent {
  type: 'job-listing';
  jobId: string;
  files: number;
  done: boolean;
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
  | JobListingEvent
  | ProgressEvent
  | FileDoneEvent
  | FileFailedEvent
  | FileSkippedEvent
  | WarningEvent
  | JobFinishedEvent;

export type RestoreEventListener = (event: RestoreEvent) => void;
