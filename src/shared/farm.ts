import { z } from 'zod';
import { ERROR_CODES } from './errors.js';
import { JobSettingsSchema } from './job-settings.js';

/**
 * The farm's wire formats (issue #18): what `heirloom restore --redis` puts in the queue for
 * each photo, what a worker hands back, and what it reports while it works. Everything read
 * from Redis is parsed with these schemas first: a queue is an input like any other.
 */

/** A farm job's id: `f` + a timestamp and random hex (never a Redis key separator). */
export const FarmJobIdSchema = z.string().regex(/^f[0-9a-z-]{6,60}$/, 'a farm job id');

/** One queue entry: one photo of a farm job, with the job's settings record. */
export const FarmPhotoPayloadSchema = z.object({
  v: z.literal(1),
  farmJobId: FarmJobIdSchema,
  /** The photo, as every machine sees it (a shared folder mounted at the same place). */
  input: z.string().min(1).max(4096),
  outDir: z.string().min(1).max(4096),
  /** sha256 of the photo's bytes when it was sent; with the settings, the queue entry's id. */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  settings: JobSettingsSchema,
});
export type FarmPhotoPayload = z.infer<typeof FarmPhotoPayloadSchema>;

const ErrorCodeSchema = z.enum(ERROR_CODES);
const WorkerNameSchema = z.string().min(1).max(200);

/** What a worker hands back for a photo (the BullMQ job's return value). */
export const FarmOutcomeSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('done'),
    worker: WorkerNameSchema,
    output: z.string().min(1),
    width: z.number().int().min(0),
    height: z.number().int().min(0),
    ms: z.number().min(0),
    notes: z.array(z.string()).optional(),
    stageMs: z.record(z.string(), z.number()).optional(),
    /** Taken over from a worker that died after moving the output into place. */
    adopted: z.boolean().optional(),
  }),
  z.object({ status: z.literal('failed'), worker: WorkerNameSchema, code: ErrorCodeSchema, message: z.string(), cause: z.string().optional() }),
  z.object({ status: z.literal('skipped'), worker: WorkerNameSchema, reason: z.string(), output: z.string().optional() }),
]);
export type FarmOutcome = z.infer<typeof FarmOutcomeSchema>;

/** A worker's progress report on a photo (BullMQ job progress): the local run's progress or warning event, with its name. */
export const FarmProgressSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('progress'),
    worker: WorkerNameSchema,
    stage: z.enum(['queued', 'decoding', 'repairing', 'fading', 'inferring', 'faces', 'encoding', 'done', 'failed', 'skipped']),
    value: z.number().min(0).max(1),
    tile: z.number().int().min(0),
    tiles: z.number().int().min(0),
    batchSize: z.number().int().min(0),
    recommendedBatch: z.number().int().min(0),
    tileSize: z.number().int().min(0),
    device: z.string(),
    faces: z.number().int().min(0).optional(),
  }),
  z.object({ type: z.literal('warning'), worker: WorkerNameSchema, code: z.string(), message: z.string(), device: z.string().optional() }),
]);
export type FarmProgress = z.infer<typeof FarmProgressSchema>;

/** A worker as `heirloom farm status` and the studio show it. */
export const FarmWorkerSchema = z.object({
  name: WorkerNameSchema,
  host: z.string(),
  device: z.string(),
  concurrency: z.number().int().min(1),
  /** The photos it is restoring now. */
  current: z.array(z.string()),
  done: z.number().int().min(0),
  failed: z.number().int().min(0),
  startedAt: z.number(),
  heartbeatAt: z.number(),
  state: z.enum(['working', 'idle', 'stopping']),
});
export type FarmWorker = z.infer<typeof FarmWorkerSchema>;

export interface FarmStatus {
  redis: string;
  workers: Array<FarmWorker & { silentMs: number }>;
  queue: { waiting: number; active: number; completed: number; failed: number; delayed: number };
}

/**
 * A Redis URL as it may be shown or stored: the password (and a `password=` parameter)
 * replaced by `***`. `redis://:secret@host:6379` -> `redis://:***@host:6379`.
 */
export function redactRedisUrl(url: string): string {
  return redactSecrets(url);
}

/** Every URL's password in a text (a log line, an error message; a mistyped scheme too) replaced by `***`. */
export function redactSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s:@/]*):([^\s@/]+)@/gi, '$1$2:***@')
    .replace(/([?&]password=)[^&\s]+/gi, '$1***');
}

/** The studio's Farm setting as the page sees it: the URL without its password, or none. */
export interface FarmView {
  url: string | null;
}
