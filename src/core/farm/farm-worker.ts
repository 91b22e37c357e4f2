import { hostname } from 'node:os';
import { Worker, WaitingError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { HeirloomError, toErrorInfo } from '../../shared/errors.js';
import { compactSettings } from '../../shared/job-settings.js';
import type { RestoreEvent } from '../../shared/events.js';
import { FarmPhotoPayloadSchema, redactSecrets, type FarmOutcome, type FarmPhotoPayload, type FarmProgress, type FarmWorker as FarmWorkerRecord } from '../../shared/farm.js';
import { removeStaleTemps } from '../fs/stale-temps.js';
import type { RestoreEngine } from '../restore/restore-engine.js';
import { checkFarmReachable, FARM_PREFIX, FARM_QUEUE, farmConnectionError, redisOptionsFromUrl } from './farm-connection.js';
import { adoptableOutput, recordClaim } from './output-claims.js';
import { HEARTBEAT_MS, removeWorker, writeHeartbeat } from './worker-registry.js';

/** How long a worker that stops answering keeps its photo before another worker takes it over. */
export const DEFAULT_LOCK_MS = 30_000;
/** A photo whose workers died this many times is failed, not offered again (a photo that kills workers). */
export const MAX_STALLS = 3;
const PROGRESS_EVERY_MS = 250;

export interface FarmWorkerOptions {
  redisUrl: string;
  engine: RestoreEngine;
  /** This worker's name in events and `farm status` (default host-pid). */
  name?: string;
  /** Photos restored at once (default 1). */
  concurrency?: number;
  /** This machine's device for every photo (the submitter's device means nothing here). */
  deviceId?: string;
  threads?: number;
  /** Stall interval: a silent worker's photo is taken over after this long. */
  lockMs?: number;
  /** A line for the worker's log (photos taken, done, failed; never the Redis password). */
  log?: (line: string) => void;
}

/**
 * `heirloom worker`: takes photos from the farm's queue and restores each with this
 * process's engine (the same settings record, stages and devices as a local run), reporting
 * progress on the queue entry and a heartbeat in Redis. A killed worker's photo goes back to
 * the queue after the lock runs out; a stop finishes the current photos or hands them back.
 */
export class FarmWorker {
  readonly name: string;
  private readonly redis: Redis;
  private readonly worker: Worker;
  private readonly running = new Map<string, { input: string; abort: AbortController }>();
  private readonly startedAt = Date.now();
  private heartbeat: NodeJS.Timeout | undefined;
  private stopping = false;
  private done = 0;
  private failed = 0;

  constructor(private readonly options: FarmWorkerOptions) {
    this.name = options.name ?? `${hostname()}-${process.pid}`;
    const connection = redisOptionsFromUrl(options.redisUrl);
    this.redis = new Redis({ ...connection, lazyConnect: true });
    this.redis.on('error', () => undefined); // the BullMQ worker's own 'error' below says it once
    const lockMs = options.lockMs ?? DEFAULT_LOCK_MS;
    this.worker = new Worker(FARM_QUEUE, (job, token) => this.process(job, token), {
      connection,
      prefix: FARM_PREFIX,
      concurrency: options.concurrency ?? 1,
      autorun: false,
      lockDuration: lockMs,
      stalledInterval: Math.max(500, Math.round(lockMs / 2)),
      maxStalledCount: MAX_STALLS,
      name: this.name,
    });
    this.worker.on('error', (error) => this.log(`farm connection: ${redactSecrets(error.message)}`));
  }

  /** Connects, cleans what this machine's dead processes left, and starts taking photos. Resolves once running. */
  async start(): Promise<void> {
    try {
      await checkFarmReachable(this.options.redisUrl);
      await this.redis.connect();
      await this.redis.ping();
      await this.worker.waitUntilReady();
    } catch (error) {
      await this.close();
      throw error instanceof HeirloomError ? error : farmConnectionError(this.options.redisUrl, error);
    }
    // A restart after a crash: the local history's interrupted job is recovered and its temporaries removed.
    const recovered = await this.options.engine.recovery.once();
    if (recovered.interrupted.length > 0 || recovered.tempsRemoved.length > 0) {
      this.log(`after a crash: ${recovered.interrupted.length} interrupted local job(s) recovered, ${recovered.tempsRemoved.length} temporary file(s) of this machine's dead processes removed`);
    }
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_MS);
    void this.worker.run().catch((error: unknown) => this.log(`worker stopped: ${redactSecrets(String(error))}`));
  }

  /**
   * Stops taking photos; the current ones finish within `graceMs`, else they are cancelled
   * and handed back to the queue (another worker takes them at once).
   */
  async stop(graceMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.beat().catch(() => undefined);
    const timer = setTimeout(() => {
      for (const { abort } of this.running.values()) abort.abort();
    }, graceMs);
    try {
      await this.worker.close();
    } finally {
      clearTimeout(timer);
      await removeWorker(this.redis, this.name).catch(() => undefined);
      await this.close();
    }
  }

  private async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.worker.close(true).catch(() => undefined);
    this.redis.disconnect();
  }

  private record(): FarmWorkerRecord {
    return {
      name: this.name,
      host: hostname(),
      device: this.options.deviceId ?? 'auto',
      concurrency: this.options.concurrency ?? 1,
      current: [...this.running.values()].map((r) => r.input),
      done: this.done,
      failed: this.failed,
      startedAt: this.startedAt,
      heartbeatAt: Date.now(),
      state: this.stopping ? 'stopping' : this.running.size > 0 ? 'working' : 'idle',
    };
  }

  private async beat(): Promise<void> {
    await writeHeartbeat(this.redis, this.record());
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** One queue entry: validated, then restored as a one-photo local job. */
  private async process(job: Job, token?: string): Promise<FarmOutcome> {
    const parsed = FarmPhotoPayloadSchema.safeParse(job.data);
    if (!parsed.success) {
      this.failed++;
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ');
      this.log(`rejected queue entry ${job.id}: ${issues}`);
      return { status: 'failed', worker: this.name, code: 'INVALID_PAYLOAD', message: `Queue entry ${job.id} is not a photo this Heirloom can restore (${issues}); it was left alone. Send the photo again with "heirloom restore --redis" of the same version as the workers.` };
    }
    const payload = parsed.data;
    const photoId = String(job.id);
    const abort = new AbortController();
    this.running.set(photoId, { input: payload.input, abort });
    void this.beat().catch(() => undefined);
    try {
      if (job.attemptsStarted > 1 || job.stalledCounter > 0) {
        // Taken over from a worker that stopped answering: its temporaries (if it ran here) go, its finished output is adopted.
        await removeStaleTemps(payload.outDir);
        const adopted = await adoptableOutput(this.redis, photoId);
        if (adopted) {
          this.done++;
          this.log(`${payload.input}: adopted ${adopted.outputPath}, moved into place by ${adopted.worker} before it stopped`);
          return { status: 'done', worker: this.name, output: adopted.outputPath, width: 0, height: 0, ms: 0, adopted: true, notes: [`restored by ${adopted.worker}, which stopped before reporting it`] };
        }
      }
      const outcome = await this.restore(job, payload, photoId, abort.signal);
      if (!outcome) {
        // Stopped before the photo finished: back to the queue for another worker, at once.
        this.log(`${payload.input}: handed back to the queue`);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (outcome.status === 'failed') this.failed++;
      else this.done++;
      this.log(outcome.status === 'done' ? `${payload.input} -> ${outcome.output}` : outcome.status === 'failed' ? `FAILED ${payload.input}: ${outcome.message} [${outcome.code}]` : `skipped ${payload.input}: ${outcome.reason}`);
      return outcome;
    } finally {
      this.running.delete(photoId);
      void this.beat().catch(() => undefined);
    }
  }

  /** The photo's local run; undefined when it was cancelled (a stop). */
  private async restore(job: Job, payload: FarmPhotoPayload, photoId: string, signal: AbortSignal): Promise<FarmOutcome | undefined> {
    let outcome: FarmOutcome | undefined;
    let lastProgress = 0;
    let lastStage = '';
    const report = (progress: FarmProgress) => void job.updateProgress(progress).catch(() => undefined);
    const onEvent = (event: RestoreEvent) => {
      switch (event.type) {
        case 'progress': {
          const now = Date.now();
          if (event.stage === lastStage && now - lastProgress < PROGRESS_EVERY_MS) return;
          lastProgress = now;
          lastStage = event.stage;
          report({ type: 'progress', worker: this.name, stage: event.stage, value: event.value, tile: event.tile, tiles: event.tiles, batchSize: event.batchSize, recommendedBatch: event.recommendedBatch, tileSize: event.tileSize, device: event.device, ...(event.faces === undefined ? {} : { faces: event.faces }) });
          return;
        }
        case 'warning':
          if (event.code !== 'NO_PHOTOS') report({ type: 'warning', worker: this.name, code: event.code, message: event.message, ...(event.device ? { device: event.device } : {}) });
          return;
        case 'file-done':
          outcome = { status: 'done', worker: this.name, output: event.output, width: event.width, height: event.height, ms: event.ms, ...(event.notes ? { notes: event.notes } : {}), ...(event.stageMs ? { stageMs: event.stageMs } : {}) };
          return;
        case 'file-failed':
          outcome = { status: 'failed', worker: this.name, code: event.code as never, message: event.message, ...(event.cause ? { cause: event.cause } : {}) };
          return;
        case 'file-skipped':
          outcome = { status: 'skipped', worker: this.name, reason: event.reason, ...(event.output ? { output: event.output } : {}) };
          return;
        default:
      }
    };
    const settings = compactSettings({ ...payload.settings, deviceId: this.options.deviceId, provider: undefined, threads: this.options.threads ?? payload.settings.threads });
    try {
      const summary = await this.options.engine.run({ ...settings, inputs: [payload.input], outDir: payload.outDir, kind: 'farm-worker' }, onEvent, {
        signal,
        beforeClaim: (claim) => recordClaim(this.redis, photoId, { outputPath: claim.outputPath, outputSha256: claim.outputSha256, worker: this.name }),
      });
      if (summary.cancelled && !outcome) return undefined;
    } catch (error) {
      if (signal.aborted) return undefined;
      // The job could not start here (the output folder cannot be written, the model is missing on this machine): this photo fails with that reason.
      const info = toErrorInfo(error, { file: payload.input });
      return { status: 'failed', worker: this.name, code: info.code, message: `On worker ${this.name}: ${redactSecrets(info.message)}`, ...(info.cause ? { cause: redactSecrets(info.cause) } : {}) };
    }
    return outcome ?? { status: 'failed', worker: this.name, code: 'INTERNAL', message: `Worker ${this.name} finished ${payload.input} without a result. Send it again; report it if it keeps happening.` };
  }
}
