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
import { listInputs } from '../fs/collect-inputs.js';
import type { PauseGate } from '../scheduler/pause-gate.js';
import { mapAhead } from '../restore/read-ahead.js';
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
/** Photos queued in one addBulk at most (the first batches are smaller: 1, 2, 4... so the first photo goes at once). */
const MAX_BATCH = 500;
/** A batch still filling is queued after this long anyway (hashing on a slow share). */
const QUEUE_EVERY_MS = 200;
/** How often the listing's progress is reported. */
const LISTING_REPORT_MS = 500;
/** Photos hashed at once (a network share answers several reads at a time). */
const HASH_CONCURRENCY = 8;
/** How often a paused job checks whether it was resumed. */
const PAUSE_POLL_MS = 250;

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
  /** The studio's Pause: what no worker has started is taken back while paused, and queued again on resume. */
  pause?: PauseGate;
  /** This machine's history: the job is recorded there as it runs (kind 'farm'). */
  history?: { jobs: JobStore; owner?: string };
  /** Continue this farm job of the history (its inputs listed again; what it finished is not sent again). */
  resumeJobId?: string;
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
  const { signal, pause } = request;
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

  const outDir = resolve(request.outDir);
  const settings = compactSettings({ ...request.settings, deviceId: undefined, provider: undefined, threads: undefined }) as JobSettings;
  let history: FarmJobHistory | undefined;
  let jobId: string;
  try {
    const owner = request.history?.owner ?? '';
    if (request.resumeJobId) {
      if (!request.history) throw new HeirloomError('USAGE', 'A farm job can only be resumed from the history that sent it.');
      history = FarmJobHistory.resume(request.history.jobs, request.resumeJobId, owner);
      jobId = request.resumeJobId;
    } else {
      jobId = `f${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
      const inputs = request.inputs.map((i) => resolve(i));
      if (request.history) history = FarmJobHistory.start(request.history.jobs, jobId, { inputs, outDir, settings, farm: redactRedisUrl(request.redisUrl), ...(owner ? { owner } : {}) });
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  const emit = (event: RestoreEvent) => {
    history?.event(event);
    request.emit(event);
  };
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
    for (const photoId of [...unresolved].filter((id) => !heldBack.has(id)).slice(0, 200)) {
      const job = (await queue.getJob(photoId)) as Job | undefined;
      if (!job) {
        const photo = tracked.get(photoId);
        if (photo?.own) resolveFailure(photoId, 'its queue entry was removed by someone else');
        // Another job's entry this one followed was taken back (that job was cancelled): this job queues it itself.
        else if (photo) {
          tracked.set(photoId, { ...photo, own: true });
          await queue.add('photo', { ...photo.payload, farmJobId: jobId }, entryOptions(photoId));
        }
        continue;
      }
      if (job.finishedOn && job.failedReason && !job.returnvalue) resolveFailure(photoId, job.failedReason);
      else if (job.finishedOn) resolveOutcome(photoId, outcomeOf(photoId, job.returnvalue));
    }
  };

  const record = (fields: Record<string, string | number>) => redis.hset(farmKeys.job(jobId), fields).catch(() => 0);
  let cancelled = false;
  let listedFiles = 0;
  /** Photos the farm still owes this job that a pause took back from the queue: sent again on resume. */
  const heldBack = new Map<string, FarmPhotoPayload>();
  /** Photos reached and hashed, not yet queued: queued together (addBulk), the first alone so a worker starts at once. */
  let batch: Array<{ photoId: string; payload: FarmPhotoPayload }> = [];
  let batchLimit = 1;
  let lastQueued = Date.now();
  let reconciler: ReturnType<typeof setInterval> | undefined;
  try {
    if (request.inputs.some((input) => resolve(input) === outDir)) {
      throw new HeirloomError('USAGE', `The output folder ${outDir} is also an input folder. Choose a separate output folder (for example ${outDir}/restored).`);
    }
    emit({ type: 'job-started', jobId, files: 0, listing: true, model: settings.modelId ?? 'default', device: 'farm' });
    await record({ id: jobId, submitter: hostname(), createdAt: Date.now(), outDir, settings: JSON.stringify(settings), files: 0, status: 'queueing' });
    reconciler = setInterval(() => void reconcile().catch(() => undefined), RECONCILE_MS);
    const reached = new Map<string, string>();
    let lastListing = Date.now();
    const listingDone = async () => {
      await sendBatch();
      history?.listed();
      emit({ type: 'job-listing', jobId, files: listedFiles, done: true });
      if (listedFiles === 0) emit({ type: 'warning', jobId, code: 'NO_PHOTOS', message: `No photos were found in ${request.inputs.join(', ')}. Heirloom looks for JPEG, PNG, WebP, TIFF, GIF, BMP, HEIC and AVIF files, in sub-folders too.` });
      await record({ files: listedFiles, status: 'queued' });
    };
    let listingEnded = false;
    try {
      // Listed, hashed and queued as they are reached: workers start on the first photo while the rest are read.
      const unfinished = async function* () {
        for await (const entry of listInputs(request.inputs, { exclude: [outDir], signal })) if (!history?.finished.has(entry.path)) yield entry;
      };
      const hashed = mapAhead(
        unfinished(),
        async (entry) => ({
          entry,
          identity: entry.error
            ? undefined
            : await request.identify(entry.path, signal).catch((error: unknown) => {
                if (signal?.aborted) return undefined;
                throw error;
              }),
        }),
        HASH_CONCURRENCY,
      );
      for await (const { entry, identity } of hashed) {
        if (signal?.aborted) break;
        if (pause?.isPaused) {
          await syncPause();
          await pause.wait(signal).catch(() => undefined);
          if (signal?.aborted) break;
          await syncPause();
        }
        listedFiles++;
        history?.reach(entry.path);
        if (Date.now() - lastListing >= LISTING_REPORT_MS) {
          lastListing = Date.now();
          emit({ type: 'job-listing', jobId, files: listedFiles, done: false });
        }
        if (entry.error) {
          counts.failed++;
          emit({ type: 'file-failed', jobId, file: entry.path, code: entry.error.code, message: entry.error.message });
          continue;
        }
        if (!identity) break;
        if ('error' in identity) {
          counts.failed++;
          emit({ type: 'file-failed', jobId, file: entry.path, code: identity.error.code, message: identity.error.message });
          continue;
        }
        const photoId = farmPhotoId(identity.contentHash, settings, outDir);
        const twin = reached.get(photoId);
        if (twin) {
          counts.skipped++;
          emit({ type: 'file-skipped', jobId, file: entry.path, reason: `the same photo as ${twin} in this job` });
          continue;
        }
        reached.set(photoId, entry.path);
        batch.push({ photoId, payload: { v: 1, farmJobId: jobId, input: entry.path, outDir, contentHash: identity.contentHash, settings } });
        if (batch.length >= batchLimit || Date.now() - lastQueued >= QUEUE_EVERY_MS) await sendBatch();
      }
      listingEnded = !signal?.aborted;
    } catch (error) {
      if (!(error instanceof HeirloomError && error.code === 'CANCELLED')) throw error;
    }
    if (listingEnded) await listingDone();
    else {
      // Stopped while listing: photos not sent yet never reach the queue (a worker could take
      // one before the cancel took it back); they are cancelled, and a resume sends them.
      history?.cancelled(batch.map((photo) => photo.payload.input));
      batch = [];
      await record({ status: 'cancelling' });
    }

    // Everything is queued: wait for the workers (or a cancel). A pause takes back what no worker started.
    const onAbort = () => wake();
    signal?.addEventListener('abort', onAbort);
    try {
      while (unresolved.size > 0 && !signal?.aborted) {
        await syncPause();
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, pause ? PAUSE_POLL_MS : RECONCILE_MS).unref();
        });
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      clearInterval(reconciler);
    }
    if (signal?.aborted) {
      cancelled = true;
      // What no worker has started leaves the queue; what one has started may still finish.
      const takenBack: string[] = [];
      const open = [...unresolved];
      const removed = await takeBackFromQueue(queue, open.filter((photoId) => tracked.get(photoId)?.own && !heldBack.has(photoId)));
      for (const photoId of open) {
        if (!heldBack.delete(photoId) && !removed.has(photoId)) continue;
        unresolved.delete(photoId);
        const photo = tracked.get(photoId);
        if (photo) takenBack.push(photo.file);
      }
      history?.cancelled(takenBack);
      const until = Date.now() + CANCEL_WAIT_MS;
      while (unresolved.size > 0 && Date.now() < until) {
        await reconcile().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 200));
      }
      history?.cancelled([...unresolved].map((id) => tracked.get(id)?.file).filter((f): f is string => f !== undefined));
    }
  } catch (error) {
    clearInterval(reconciler);
    await closeAll();
    throw error;
  }
  const ms = Date.now() - started;
  const summary = { jobId, ...counts, cancelled, ms };
  await record({ status: cancelled ? 'cancelled' : 'finished', succeeded: counts.succeeded, failed: counts.failed, skipped: counts.skipped, ms });
  emit({ type: 'job-finished', jobId, ...counts, cancelled, ms, status: jobOutcome({ ...counts, cancelled }) });
  await closeAll();
  return summary;

  /**
   * Queues the photos reached since the last batch (their history rows first): each one the
   * farm does not hold yet is added in one addBulk; one it restored, queued or failed is
   * followed, skipped or sent again (see decide).
   */
  async function sendBatch(): Promise<void> {
    if (batch.length === 0) return;
    const photos = batch;
    batch = [];
    batchLimit = Math.min(MAX_BATCH, batchLimit * 2);
    lastQueued = Date.now();
    history?.flush();
    const existing = await Promise.all(photos.map(({ photoId }) => queue.getJob(photoId) as Promise<Job | undefined>));
    const fresh: Array<{ photoId: string; payload: FarmPhotoPayload }> = [];
    for (const [i, photo] of photos.entries()) {
      if (await follows(photo.photoId, photo.payload, existing[i])) continue;
      tracked.set(photo.photoId, { file: photo.payload.input, own: true, payload: photo.payload });
      unresolved.add(photo.photoId);
      fresh.push(photo);
    }
    if (fresh.length > 0) await queue.addBulk(fresh.map(({ photoId, payload }) => ({ name: 'photo', data: payload, opts: entryOptions(photoId) })));
  }

  /** Whether the farm already holds this photo: restored (skip it, or adopt it when this job restored it), queued or running (follow it). A failed one, or one whose output is gone, is removed and sent again. */
  async function follows(photoId: string, payload: FarmPhotoPayload, existing: Job | undefined): Promise<boolean> {
    if (!existing) return false;
    const state = await existing.getState();
    if (state === 'completed') {
      const outcome = outcomeOf(photoId, existing.returnvalue);
      const output = outcome.status === 'failed' ? undefined : outcome.output;
      if (output && (await isFile(output))) {
        tracked.set(photoId, { file: payload.input, own: false, payload });
        // Restored for this very job (before a resume): its result, as if it had just come.
        if (existing.data?.farmJobId === jobId) {
          unresolved.add(photoId);
          resolveOutcome(photoId, outcome);
          return true;
        }
        counts.skipped++;
        const by = typeof existing.data?.farmJobId === 'string' ? ` (farm job ${existing.data.farmJobId}, worker ${outcome.worker})` : '';
        emit({ type: 'file-skipped', jobId, file: payload.input, reason: `already restored with the same settings as ${output}${by}`, output, worker: outcome.worker });
        return true;
      }
    }
    if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') {
      tracked.set(photoId, { file: payload.input, own: existing.data?.farmJobId === jobId, payload });
      unresolved.add(photoId);
      return true;
    }
    await existing.remove().catch(() => undefined);
    return false;
  }

  /**
   * The studio's Pause of a farm job, as a Ctrl+C that can be undone: while paused, this job's
   * photos no worker has started are taken back from the queue (what runs finishes); on
   * resume they are queued again.
   */
  async function syncPause(): Promise<void> {
    if (!pause) return;
    if (pause.isPaused) {
      const open = [...unresolved].filter((photoId) => tracked.get(photoId)?.own && !heldBack.has(photoId));
      const removed = await takeBackFromQueue(queue, open);
      // Held back in the order they were queued, so a resume queues them in that order again.
      for (const photoId of open) if (removed.has(photoId)) heldBack.set(photoId, tracked.get(photoId)!.payload);
      return;
    }
    if (heldBack.size === 0) return;
    const again = [...heldBack];
    heldBack.clear();
    await queue.addBulk(again.map(([photoId, payload]) => ({ name: 'photo', data: payload, opts: entryOptions(photoId) })));
  }
}

/**
 * Takes these entries (in the order they were queued) out of the queue where no worker has
 * started them; returns those taken. Newest first, in parallel chunks: BullMQ pushes a waiting
 * entry onto the head of a list and removes one by scanning from the head (LREM), so newest
 * first each is found at once, while oldest first each removal walks the whole list (a
 * cancelled 100,000-photo job, `npx heirloom bench bigfolder`: 5 s against 65 s).
 */
async function takeBackFromQueue(queue: Queue, photoIds: readonly string[]): Promise<Set<string>> {
  const newestFirst = [...photoIds].reverse();
  const removed = new Set<string>();
  for (let i = 0; i < newestFirst.length; i += MAX_BATCH) {
    const chunk = newestFirst.slice(i, i + MAX_BATCH);
    const results = await Promise.all(chunk.map((photoId) => queue.remove(photoId)));
    chunk.forEach((photoId, k) => {
      if (results[k] === 1) removed.add(photoId);
    });
  }
  return removed;
}

function entryOptions(photoId: string) {
  return { jobId: photoId, removeOnComplete: { age: KEEP_FINISHED_S }, removeOnFail: { age: KEEP_FINISHED_S } };
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
