import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { HeirloomError, type ErrorInfo } from '../../shared/errors.js';
import { WARNING_CODES, type RestoreEvent, type WarningCode } from '../../shared/events.js';
import { FarmOutcomeSchema, FarmProgressSchema, redactRedisUrl, redactSecrets, type FarmOutcome, type FarmPhotoPayload } from '../../shared/farm.js';
import { compactSettings, type JobSettings } from '../../shared/job-settings.js';
import { jobOutcome } from '../../shared/job-outcome.js';
import { collectInputs } from '../fs/collect-inputs.js';
import type { PhotoIdentity } from '../restore/photo-identity.js';
import type { RestoreSummary } from '../restore/restore-engine.js';
import { checkFarmReachable, FARM_PREFIX, FARM_QUEUE, farmConnectionError, farmKeys, redisOptionsFromUrl } from './farm-connection.js';
import { farmPhotoId } from './photo-id.js';
import { MAX_STALLS } from './farm-worker.js';
import { FarmJobHistory } from './farm-history.js';
import type { JobStore } from '../store/job-store.js';

/** How long finished queue entries are kept: while they are, the same photo sent again is skipped. */
const KEEP_FINISHED_S = 30 * 24 * 3600;
const RECONCILE_MS = 2000;
/** After a cancel, how long photos a worker already started may still finish and be reported. */
const CANCEL_WAIT_MS = 3000;

export interface FarmSubmitRequest {
  redisUrl: string;
  inputs: string[];
  outDir: string;
  /** The job's settings record (device, provider and threads are each worker's own). */
  settings: JobSettings;
  /** A photo's content hash (the engine's identities: cached, and shared with the local history). */
  identify: (path: string, signal?: AbortSignal) => Promise<PhotoIdentity | { error: ErrorInfo }>;
  emit: (event: RestoreEvent) => void;
  signal?: AbortSignal;
  /** This machine's history: the job is recorded there as it runs (kind 'farm'). */
  history?: { jobs: JobStore; owner?: string };
}

/** What a farm job did: the same summary as a local run's. */
export type FarmSummary = RestoreSummary;

/** A photo of this job in the queue, and whether this job put it there (else it follows another job's entry). */
interface Tracked {
  file: string;
  own: boolean;
  payload: FarmPhotoPayload;
}

/**
 * `heirloom restore --redis`: sends one job to the farm, one queue entry per photo (its id
 * is the photo's identity, so a photo already restored or already queued is not restored
 * again), and reports the workers' progress and results as the same events as a local run,
 * each with the worker's name. Photos are listed, hashed and queued as they are reached, so
 * workers start on the first while the rest are read. A cancel takes back what no worker
 * has started.
 */
export async function submitFarmJob(request: FarmSubmitRequest): Promise<FarmSummary> {
  const started = Date.now();
  const { signal } = request;
  await checkFarmReachable(request.redisUrl);
  const connection = redisOptionsFromUrl(request.redisUrl);
  const redis = new Redis({ ...connection, lazyConnect: true });
  redis.on('error', () => undefined);
  const queue = new Queue(FARM_QUEUE, { connection, prefix: FARM_PREFIX });
  const events = new QueueEvents(FARM_QUEUE, { connection, prefix: FARM_PREFIX });
  queue.on('error', () => undefined);
  events.on('error', () => undefined);
  const closeAll = async () => {
    await Promise.allSettled([events.close(), queue.close()]);
    redis.disconnect();
  };
  try {
    await redis.connect();
    await redis.ping();
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  } catch (error) {
    await closeAll();
    throw farmConnectionError(request.redisUrl, error);
  }

  const jobId = `f${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const history = request.history ? new FarmJobHistory(request.history.jobs, jobId) : undefined;
  const emit = (event: RestoreEvent) => {
    history?.event(event);
    request.emit(event);
  };
  const outDir = resolve(request.outDir);
  const settings = compactSettings({ ...request.settings, deviceId: undefined, provider: undefined, threads: undefined }) as JobSettings;
  const tracked = new Map<string, Tracked>();
  const unresolved = new Set<string>();
  const counts = { succeeded: 0, failed: 0, skipped: 0 };
  let wake: () => void = () => undefined;

  const resolveOutcome = (photoId: string, outcome: FarmOutcome) => {
    const photo = tracked.get(photoId);
    if (!photo || !unresolved.delete(photoId)) return;
    if (outcome.status === 'done') {
      counts.succeeded++;
      emit({ type: 'file-done', jobId, file: photo.file, output: outcome.output, width: outcome.width, height: outcome.height, ms: outcome.ms, worker: outcome.worker, ...(outcome.notes ? { notes: outcome.notes } : {}), ...(outcome.stageMs ? { stageMs: outcome.stageMs } : {}) });
    } else if (outcome.status === 'failed') {
      counts.failed++;
      emit({ type: 'file-failed', jobId, file: photo.file, code: outcome.code, message: outcome.message, worker: outcome.worker, ...(outcome.cause ? { cause: outcome.cause } : {}) });
    } else {
      counts.skipped++;
      emit({ type: 'file-skipped', jobId, file: photo.file, reason: outcome.reason, worker: outcome.worker, ...(outcome.output ? { output: outcome.output } : {}) });
    }
    wake();
  };
  const resolveFailure = (photoId: string, reason: string) => {
    const photo = tracked.get(photoId);
    if (!photo) return;
    resolveOutcome(photoId, {
      status: 'failed',
      worker: 'farm',
      code: 'INTERNAL',
      message: `${photo.file} was set aside by the farm (${redactSecrets(reason)}): workers stopped while restoring it ${MAX_STALLS} times or could not finish it. Restore it on its own ("heirloom restore ${photo.file} --out ...") to see what goes wrong.`,
    });
  };
  /** A return value read from Redis: parsed like any other input. */
  const outcomeOf = (photoId: string, raw: unknown): FarmOutcome => {
    const value = typeof raw === 'string' ? safeParseJson(raw) : raw;
    const parsed = FarmOutcomeSchema.safeParse(value);
    if (parsed.success) return parsed.data;
    return { status: 'failed', worker: 'farm', code: 'INVALID_PAYLOAD', message: `The farm's result for ${tracked.get(photoId)?.file ?? photoId} is not one this Heirloom can read (a worker of another version?). Update the workers and send the photo again.` };
  };

  events.on('completed', ({ jobId: photoId, returnvalue }) => resolveOutcome(photoId, outcomeOf(photoId, returnvalue)));
  events.on('failed', ({ jobId: photoId, failedReason }) => resolveFailure(photoId, failedReason));
  events.on('progress', ({ jobId: photoId, data }) => {
    const photo = tracked.get(photoId);
    const parsed = FarmProgressSchema.safeParse(data);
    if (!photo || !unresolved.has(photoId) || !parsed.success) return;
    const p = parsed.data;
    if (p.type === 'progress') {
      const { type: _type, faces, ...rest } = p;
      emit({ type: 'progress', jobId, file: photo.file, ...rest, ...(faces === undefined ? {} : { faces }) });
    } else if ((WARNING_CODES as readonly string[]).includes(p.code)) {
      emit({ type: 'warning', jobId, code: p.code as WarningCode, message: `${p.worker}: ${p.message}`, worker: p.worker, ...(p.device ? { device: p.device } : {}) });
    }
  });

  /** Missed events (a reconnect, the stream trimmed): what the queue says about photos still open. */
  const reconcile = async () => {
    for (const photoId of [...unresolved].slice(0, 200)) {
      const job = (await queue.getJob(photoId)) as Job | undefined;
      if (!job) {
        const photo = tracked.get(photoId);
        if (photo?.own) resolveFailure(photoId, 'its queue entry was removed by someone else');
        // Another job's entry this one followed was taken back (that job was cancelled): this job queues it itself.
        else if (photo) {
          tracked.set(photoId, { ...photo, own: true });
          await queue.add('photo', { ...photo.payload, farmJobId: jobId }, { jobId: photoId, removeOnComplete: { age: KEEP_FINISHED_S }, removeOnFail: { age: KEEP_FINISHED_S } });
        }
        continue;
      }
      if (job.finishedOn && job.failedReason && !job.returnvalue) resolveFailure(photoId, job.failedReason);
      else if (job.finishedOn) resolveOutcome(photoId, outcomeOf(photoId, job.returnvalue));
    }
  };

  const record = (fields: Record<string, string | number>) => redis.hset(farmKeys.job(jobId), fields).catch(() => 0);
  let cancelled = false;
  try {
    if (request.inputs.some((input) => resolve(input) === outDir)) {
      throw new HeirloomError('USAGE', `The output folder ${outDir} is also an input folder. Choose a separate output folder (for example ${outDir}/restored).`);
    }
    const entries = await collectInputs(request.inputs, { exclude: [outDir], signal });
    history?.start({ inputs: request.inputs.map((i) => resolve(i)), outDir, settings, farm: redactRedisUrl(request.redisUrl), photos: entries.map((e) => e.path), ...(request.history?.owner ? { owner: request.history.owner } : {}) });
    if (!request.inputs.length || entries.length === 0) {
      emit({ type: 'job-started', jobId, files: 0, model: settings.modelId ?? 'default', device: 'farm' });
      emit({ type: 'warning', jobId, code: 'NO_PHOTOS', message: `No photos were found in ${request.inputs.join(', ')}. Heirloom looks for JPEG, PNG, WebP, TIFF, GIF, BMP, HEIC and AVIF files, in sub-folders too.` });
    } else {
      emit({ type: 'job-started', jobId, files: entries.length, model: settings.modelId ?? 'default', device: 'farm' });
    }
    await record({ id: jobId, submitter: hostname(), createdAt: Date.now(), outDir, settings: JSON.stringify(settings), files: entries.length, status: 'queueing' });
    const reconciler = setInterval(() => void reconcile().catch(() => undefined), RECONCILE_MS);
    try {
      for (const entry of entries) {
        if (signal?.aborted) break;
        if (entry.error) {
          counts.failed++;
          emit({ type: 'file-failed', jobId, file: entry.path, code: entry.error.code, message: entry.error.message });
          continue;
        }
        const identity = await request.identify(entry.path, signal).catch((error: unknown) => {
          if (signal?.aborted) return undefined;
          throw error;
        });
        if (!identity) break;
        if ('error' in identity) {
          counts.failed++;
          emit({ type: 'file-failed', jobId, file: entry.path, code: identity.error.code, message: identity.error.message });
          continue;
        }
        const photoId = farmPhotoId(identity.contentHash, settings, outDir);
        const twin = tracked.get(photoId);
        if (twin) {
          counts.skipped++;
          emit({ type: 'file-skipped', jobId, file: entry.path, reason: `the same photo as ${twin.file} in this job` });
          continue;
        }
        await enqueue(photoId, { v: 1, farmJobId: jobId, input: entry.path, outDir, contentHash: identity.contentHash, settings });
      }
    } finally {
      await record({ status: signal?.aborted ? 'cancelling' : 'queued' });
    }

    // Everything is queued: wait for the workers (or a cancel).
    const onAbort = () => wake();
    signal?.addEventListener('abort', onAbort);
    try {
      while (unresolved.size > 0 && !signal?.aborted) {
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, RECONCILE_MS).unref();
        });
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      clearInterval(reconciler);
    }
    if (signal?.aborted) {
      cancelled = true;
      // What no worker has started leaves the queue; what one has started may still finish.
      for (const photoId of [...unresolved]) {
        if (tracked.get(photoId)?.own && (await queue.remove(photoId)) === 1) unresolved.delete(photoId);
      }
      const until = Date.now() + CANCEL_WAIT_MS;
      while (unresolved.size > 0 && Date.now() < until) {
        await reconcile().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  const ms = Date.now() - started;
  const summary = { jobId, ...counts, cancelled, ms };
  await record({ status: cancelled ? 'cancelled' : 'finished', succeeded: counts.succeeded, failed: counts.failed, skipped: counts.skipped, ms });
  emit({ type: 'job-finished', jobId, ...counts, cancelled, ms, status: jobOutcome({ ...counts, cancelled }) });
  await closeAll();
  return summary;

  /** One photo into the queue, unless the farm already holds it: restored (skip), queued or running (follow it), failed (again). */
  async function enqueue(photoId: string, payload: FarmPhotoPayload): Promise<void> {
    const existing = (await queue.getJob(photoId)) as Job | undefined;
    if (existing) {
      const state = await existing.getState();
      if (state === 'completed') {
        const outcome = outcomeOf(photoId, existing.returnvalue);
        const output = outcome.status === 'failed' ? undefined : outcome.output;
        if (output && (await isFile(output))) {
          counts.skipped++;
          const by = typeof existing.data?.farmJobId === 'string' ? ` (farm job ${existing.data.farmJobId}, worker ${outcome.worker})` : '';
          emit({ type: 'file-skipped', jobId, file: payload.input, reason: `already restored with the same settings as ${output}${by}`, output, worker: outcome.worker });
          return;
        }
      }
      if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') {
        tracked.set(photoId, { file: payload.input, own: false, payload });
        unresolved.add(photoId);
        return;
      }
      // Failed, or restored into an output that is gone since: restored again.
      await existing.remove().catch(() => undefined);
    }
    tracked.set(photoId, { file: payload.input, own: true, payload });
    unresolved.add(photoId);
    await queue.add('photo', payload, { jobId: photoId, removeOnComplete: { age: KEEP_FINISHED_S }, removeOnFail: { age: KEEP_FINISHED_S } });
  }
}

async function isFile(path: string): Promise<boolean> {
  return (await fs.stat(path).catch(() => undefined))?.isFile() ?? false;
}

function safeParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
