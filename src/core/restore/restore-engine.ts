import { resolve } from 'node:path';
import { HeirloomError } from '../../shared/errors.js';
import type { ModelManifest } from '../../shared/model-manifest.js';
import type { RestoreEvent } from '../../shared/events.js';
import { compactSettings, JobSettingsSchema, type JobSettings, type StoredJobSettings } from '../../shared/job-settings.js';
import type { Precision } from '../../shared/devices.js';
import { jobOutcome } from '../../shared/job-outcome.js';
import { DEFAULT_MAX_PIXELS, probeImage } from '../imaging/codec.js';
import { ensureWritableFolder } from '../fs/writable-folder.js';
import type { ModelRegistry, InstalledModel } from '../models/model-registry.js';
import type { SessionPool } from '../inference/session-pool.js';
import type { BatchRunner, TilePlan } from '../inference/tiler.js';
import type { JobStore } from '../store/job-store.js';
import type { Calibration, CalibrationStore, TuningPoint } from '../store/calibration-store.js';
import { MemoryMonitor } from '../scheduler/memory-monitor.js';
import { batchBytes, estimateBatchMemory, updateCalibration } from '../scheduler/memory-model.js';
import { budgetBytes } from '../scheduler/batch-planner.js';
import { FaultInjector } from '../scheduler/out-of-memory.js';
import type { PauseGate } from '../scheduler/pause-gate.js';
import { startPeakMeasurement } from '../scheduler/peak-memory-probe.js';
import { PhotoExecutor, type DeviceLane, type ExecutorPhoto, type PhotoSource } from '../scheduler/photo-executor.js';
import { bestBatchFrom, measureWholePhotoShapes, TILE_CANDIDATES, tuneTileAndBatch } from '../scheduler/tile-tuner.js';
import { choosePhotoTile, costCurve } from '../scheduler/photo-tiling.js';
import { batchCostModel } from '../scheduler/batch-grouping.js';
import { cpuOnly, type DeviceResolver, type ResolvedDevice } from '../devices/device-resolver.js';
import { photoWork, type PhotoSettings } from '../stages/photo-pipeline.js';
import { repairAgainWork, type EarlierRestore } from '../stages/repair-again-work.js';
import { DamageDetector } from '../repair/damage-detector.js';
import { facesWillRun } from '../stages/faces-stage.js';
import { closeStages, openStages } from '../stages/stage-list.js';
import type { OpenedStage } from '../stages/stage-definition.js';
import { resolveUpscale, type UpscaleChoice } from '../stages/upscale-stage.js';
import { onceAcrossProcesses } from '../scheduler/once-across-processes.js';
import type { WorkLeases } from '../store/work-leases.js';
import { DurableJob, type OutputClaimNotice } from './durable-job.js';
import { PhotoIdentities } from './photo-identity.js';
import { CrashRecovery } from './job-recovery.js';
import { ProcessOwner } from '../store/process-owner.js';
import { restoreFingerprint } from './restore-fingerprint.js';

/** What to restore (inputs, output folder) and how (the job's settings record), and which job this is. */
export interface RestoreRequest extends JobSettings {
  inputs: string[];
  outDir: string;
  /** Continue this job (heirloom resume): its unfinished photos, with its recorded settings (see resumeRequest). */
  resumeJobId?: string;
  /** Restore again what an earlier job already restored with the same settings (default: skip it). */
  redo?: boolean;
  /** History kind ('restore', 'watch') and the watch folder the job belongs to. */
  kind?: string;
  watchFolderId?: string;
  /**
   * "Repair again" with `maskFile`: the earlier result of the photo, so that only what the
   * edited mask changes is recomputed (see repair-again-work.ts); not part of the settings record.
   */
  repairAgainOf?: EarlierRestore;
}

/**
 * What the fingerprint sees of a request: the resolved upscaler, and "faces if installed"
 * only when faces run (a face model is installed): a photo restored without one is restored
 * again, with faces, once one is installed.
 */
function fingerprintOf(request: JobSettings, outDir: string, upscale: UpscaleChoice, facesRun: boolean): string {
  const facesIfInstalled = request.facesIfInstalled === true && request.faces === undefined && facesRun;
  return restoreFingerprint({ ...request, facesIfInstalled, outDir, modelId: upscale.modelId, scale: upscale.scale });
}

/** The settings record of a request (what the history keeps), without the job's own fields. */
export function jobSettingsOf(request: RestoreRequest): JobSettings {
  return compactSettings(Object.fromEntries(Object.keys(JobSettingsSchema.shape).map((key) => [key, request[key as keyof JobSettings]])) as JobSettings);
}

export interface RestoreSummary {
  jobId: string;
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: boolean;
  ms: number;
}

export interface RestoreEngineDeps {
  models: ModelRegistry;
  sessions: SessionPool;
  jobs: JobStore;
  calibration?: CalibrationStore;
  devices?: DeviceResolver;
  /** Off unless a test or benchmark sets it (HEIRLOOM_INJECT_OOM_ABOVE_PIXELS). */
  faults?: FaultInjector;
  /** Who owns the jobs this engine runs (default: this process). */
  owner?: ProcessOwner;
  /** Claims between processes sharing the data folder: tuning is done by one and reused by the others. */
  leases?: WorkLeases;
}

export interface RunControls {
  signal?: AbortSignal;
  pause?: PauseGate;
  /** Benchmarks only: fail on out-of-memory like a naive fixed-batch tool instead of backing off. */
  backOff?: boolean;
  /** Told each output's name and hash just before it is moved into place (a farm worker records it where other machines see it). */
  beforeClaim?: (claim: OutputClaimNotice) => Promise<void>;
  /** Benchmarks only: the tile plan each photo was cut into. */
  onPlan?: (file: string, plan: TilePlan) => void;
}

/** Tile size when tuning is not possible (no tile fits the budget at batch 1). */
export const FALLBACK_TILE = 128;

/**
 * Restores a list of files and folders into an output folder, as one job in the history.
 * The scheduler's executor runs the photos across the resolved devices; a bad photo fails
 * alone (file-failed) and the rest go on.
 */
export class RestoreEngine {
  /** Memory monitors live as long as the engine, so readings stay cached and smoothed across jobs. */
  private readonly monitors = new Map<string, MemoryMonitor>();

  /** Photos' identities and "already restored?", for every job of this engine and its watch folders. */
  readonly identities: PhotoIdentities;
  /** Crash recovery, once per process, before the first job (the studio and watchers share it). */
  readonly recovery: CrashRecovery;

  constructor(private readonly deps: RestoreEngineDeps) {
    this.identities = new PhotoIdentities(deps.jobs);
    this.recovery = new CrashRecovery(deps.jobs, deps.owner ?? new ProcessOwner());
  }

  async run(request: RestoreRequest, emit: (event: RestoreEvent) => void, controls: RunControls | AbortSignal = {}): Promise<RestoreSummary> {
    const { signal, pause, backOff, beforeClaim, onPlan } = controls instanceof AbortSignal ? { signal: controls, pause: undefined, backOff: undefined, beforeClaim: undefined, onPlan: undefined } : controls;
    const started = Date.now();
    const upscale = await resolveUpscale(request, this.deps.models);
    const outDir = resolve(request.outDir);
    if (!request.resumeJobId && request.inputs.some((input) => resolve(input) === outDir)) {
      throw new HeirloomError('USAGE', `The output folder ${outDir} is also an input folder. Choose a separate output folder (for example ${outDir}/restored) so restored photos are never mixed with the originals.`);
    }
    await ensureWritableFolder(outDir, { signal });
    const maxPixels = request.maxPixels ?? DEFAULT_MAX_PIXELS;

    const devices = await (this.deps.devices ?? cpuOnly).resolve(compactSettings({ deviceId: request.deviceId, provider: request.provider, threads: request.threads }));
    const primary = devices[0];
    if (!primary) throw new HeirloomError('DEVICE_NOT_FOUND', 'No device is enabled. Enable one in settings ("heirloom settings set cpu enabled=true").');
    // Start each device's inference thread and session now: they open while the job is set up
    // (stages, photos hashed into the history); buildLane awaits the same pooled promise and reports its error.
    const model = upscale.model;
    if (model) for (const device of devices) this.deps.sessions.get(model.path, device.session).catch(() => {});
    let jobId = '';
    const { stages, unavailable } = await openStages(request, {
      models: this.deps.models,
      sessions: this.deps.sessions,
      device: { deviceId: primary.deviceId, session: primary.session, freeBytes: () => this.monitorFor(primary).freeBytes(), budget: primary.settings.memoryBudget, maxBatch: primary.settings.maxBatch, precision: primary.settings.precision },
      progress: (file, update) => emit({ type: 'progress', jobId, file, stage: 'inferring', value: 0, tile: 0, tiles: 0, batchSize: 0, recommendedBatch: 0, tileSize: 0, device: primary.deviceId, ...update }),
    });
    try {
      const resolved: Partial<JobSettings> = Object.assign({}, ...stages.map((s) => s.resolved ?? {}));
      const recorded: StoredJobSettings = compactSettings({ ...jobSettingsOf(request), ...resolved, inputs: request.inputs.map((input) => resolve(input)), outDir, modelId: upscale.modelId, scale: upscale.scale, tile: request.tile ?? 'auto', batch: request.batch ?? 'auto', format: request.format ?? 'keep', overwrite: request.overwrite ?? false });
      // Durable: each photo is in the store (queued, or skipped when already restored) before its work starts;
      // the inputs are listed and hashed as the job goes, so a huge folder starts on its first photo.
      const job = await DurableJob.open({
        jobs: this.deps.jobs,
        identities: this.identities,
        recovery: this.recovery,
        owner: this.recovery.owner,
        inputs: request.inputs,
        exclude: [outDir],
        signal,
        // The stages are open: whether faces run is known without listing the models again.
        fingerprint: fingerprintOf(request, outDir, upscale, stages.some((stage) => stage.name === 'faces')),
        settings: recorded,
        modelId: upscale.modelId,
        deviceId: devices.map((d) => d.deviceId).join(','),
        overwrite: request.overwrite ?? false,
        ...compactSettings({ resumeJobId: request.resumeJobId, redo: request.redo || undefined, kind: request.kind, watchFolderId: request.watchFolderId, beforeClaim }),
      });
      jobId = job.id;
      try {
        return await this.runJob({ request, emit, signal, pause, backOff, onPlan, started, upscale, outDir, maxPixels, devices, stages, unavailable, job });
      } finally {
        await job.close(); // also when the run threw: its listing and hashing stop with it (closing twice is harmless)
      }
    } finally {
      await closeStages(stages);
    }
  }

  private async runJob(run: {
    request: RestoreRequest;
    emit: (event: RestoreEvent) => void;
    signal: AbortSignal | undefined;
    pause: PauseGate | undefined;
    backOff: boolean | undefined;
    onPlan: RunControls['onPlan'];
    started: number;
    upscale: UpscaleChoice;
    outDir: string;
    maxPixels: number;
    devices: ResolvedDevice[];
    stages: OpenedStage[];
    unavailable: string[];
    job: DurableJob;
  }): Promise<RestoreSummary> {
    const { request, emit, signal, pause, backOff, onPlan, started, upscale, outDir, maxPixels, devices, stages, unavailable, job } = run;
    const primary = devices[0]!;
    const jobId = job.id;
    emit({ type: 'job-started', jobId, files: job.progress.files, listing: true, model: upscale.modelId, device: primary.deviceId });
    // Listing and hashing start now, overlapping the device's set-up and tuning below.
    job.start(({ files, done, corrected }) => {
      emit({ type: 'job-listing', jobId, files, done });
      // Only an empty listing means no photos; a total corrected to 0 is a resume with nothing left to try.
      if (done && files === 0 && !corrected) emit({ type: 'warning', jobId, code: 'NO_PHOTOS', message: `No photos were found in ${request.inputs.join(', ')}. Heirloom looks for JPEG, PNG, WebP, TIFF, GIF, BMP, HEIC and AVIF files, in sub-folders too.` });
    });
    if (job.recoveryNote) emit({ type: 'warning', jobId, code: 'RECOVERED', message: job.recoveryNote });
    for (const message of unavailable) emit({ type: 'warning', jobId, code: 'STAGE_UNAVAILABLE', message });
    for (const device of devices) for (const w of device.warnings) emit({ type: 'warning', jobId, code: w.code, message: w.message, device: device.deviceId });
    const manifest = upscale.model?.manifest;
    if (manifest) {
      for (const device of devices.filter((d) => d.settings.precision === 'fp16')) {
        emit({ type: 'warning', jobId, code: 'PRECISION_FALLBACK', message: `${device.deviceId} is set to fp16, but ${manifest.id} has only a float32 graph; it runs in fp32.`, device: device.deviceId });
      }
    }

    const model = upscale.model;
    // Lanes do not wait for their sessions: the first photos decode while the sessions open
    // (each lane's first run waits for its own). A session that cannot open fails the job as before.
    const lanes = model ? devices.map((device) => this.buildLane(device, model, request)) : [];
    const opening = new AbortController();
    const sessionsOpened = Promise.all(lanes.map((lane) => lane.opened)).then(
      () => undefined,
      (error: unknown) => {
        this.deps.devices?.invalidate?.();
        opening.abort();
        return error;
      },
    );
    const jobSignal = signal ? AbortSignal.any([signal, opening.signal]) : opening.signal;
    // A stop during tuning: the executor below then records every photo as cancelled.
    const { tileSize, tileFor } = model
      ? await this.chooseTile(request, primary, lanes[0]!, model.manifest, jobId, emit, jobSignal).catch(async (error: unknown): Promise<{ tileSize: number; tileFor?: (width: number, height: number) => number }> => {
          if (opening.signal.aborted) throw await sessionsOpened;
          if (signal?.aborted) return { tileSize: FALLBACK_TILE };
          throw error;
        })
      : { tileSize: 0, tileFor: undefined };

    let succeeded = 0;
    let failed = 0;
    let skipped = 0;
    let cancelled = false;
    let listingError: unknown;
    // The executor takes each photo as it is reached: skipped and unreadable ones are reported on the way.
    const photos: PhotoSource = {
      next: async () => {
        for (;;) {
          let reached;
          try {
            reached = await job.next();
          } catch (error) {
            if (!(error instanceof HeirloomError && error.code === 'CANCELLED') && !signal?.aborted) listingError = error;
            return undefined;
          }
          if (!reached) return undefined;
          if (reached.kind === 'skip') {
            skipped++;
            emit({ type: 'file-skipped', jobId, file: reached.file, reason: reached.reason, ...(reached.output ? { output: reached.output } : {}) });
            continue;
          }
          if (reached.error) {
            failed++;
            job.failed(reached.position, reached.error);
            emit({ type: 'file-failed', jobId, file: reached.path, code: reached.error.code, message: reached.error.message });
            continue;
          }
          return { position: reached.position, file: reached.path, ...(signal?.aborted ? {} : await headerPixels(reached.path, maxPixels)) };
        }
      },
      upcoming: () => job.upcoming,
    };

    const photoSettings: PhotoSettings = {
      ...(manifest ? { manifest } : {}),
      scale: upscale.scale,
      tileSize,
      ...(tileFor ? { tileFor } : {}),
      format: request.format ?? 'keep',
      overwrite: request.overwrite ?? false,
      stripMetadata: request.stripMetadata ?? false,
      maxPixels,
      outDir,
      commit: job.commit,
      stages,
      ...compactSettings({ quality: request.quality }),
    };
    const work =
      request.repairAgainOf && request.maskFile
        ? repairAgainWork(photoSettings, {
            earlier: request.repairAgainOf,
            maskFile: request.maskFile,
            fading: request.fading === true,
            fadingStrength: request.fadingStrength,
            saveMasks: request.saveMasks === true,
            openDetector: () => DamageDetector.open({ models: this.deps.models, sessions: this.deps.sessions }, { session: primary.session, freeBytes: () => this.monitorFor(primary).freeBytes(), budget: primary.settings.memoryBudget, maxBatch: primary.settings.maxBatch, precision: primary.settings.precision }),
          })
        : photoWork(photoSettings);
    const startedAt = new Map<number, number>();
    const executor = new PhotoExecutor(
      photos,
      { work, lanes, faults: this.deps.faults ?? FaultInjector.fromEnv(), signal: jobSignal, ...compactSettings({ pause, backOff: backOff === false ? false : undefined }) },
      {
        started: (photo) => {
          startedAt.set(photo.position, Date.now());
          job.started(photo.position);
        },
        ...(onPlan ? { planned: (photo: ExecutorPhoto, plan: TilePlan) => onPlan(photo.file, plan) } : {}),
        progress: (u) => {
          const { position: _position, ...rest } = u;
          emit({ type: 'progress', jobId, ...rest, value: u.tiles === 0 ? 0 : u.tile / u.tiles });
        },
        done: (photo, result) => {
          succeeded++;
          const ms = Date.now() - (startedAt.get(photo.position) ?? started);
          job.done(photo.position, { outputPath: result.output, width: result.width, height: result.height, ms });
          emit({ type: 'file-done', jobId, file: photo.file, output: result.output, width: result.width, height: result.height, ms, stageMs: result.stageMs, ...(result.notes.length ? { notes: result.notes } : {}) });
        },
        failed: (photo, error) => {
          if (error.code === 'CANCELLED') {
            cancelled = true;
            job.cancelled(photo.position);
            return;
          }
          failed++;
          job.failed(photo.position, { code: error.code, message: error.message, ms: Date.now() - (startedAt.get(photo.position) ?? Date.now()) });
          emit({ type: 'file-failed', jobId, file: photo.file, code: error.code, message: error.message, ...(error.cause ? { cause: error.cause } : {}) });
        },
        backOff: (step) => emit({ type: 'warning', jobId, code: 'OUT_OF_MEMORY_BACKOFF', message: step.message, device: step.deviceId }),
        learnedLimit: (deviceId, pixels) => {
          if (manifest) this.deps.calibration?.update(deviceId, manifest.id, lanes.find((l) => l.deviceId === deviceId)?.precision ?? 'fp32', { learnedLimitPixels: pixels });
        },
      },
    );
    await executor.run();
    // A stop ends the listing and hashing too: photos not reached wait for `resume` (the job stays unlisted).
    await job.close();
    // A session that could not open: the job fails with its error (the photos it held back were not touched).
    const openError = await sessionsOpened;
    if (openError !== undefined) throw openError;
    if (listingError !== undefined) throw listingError;
    if (signal?.aborted) cancelled = true;
    const ms = Date.now() - started;
    job.finish(cancelled ? 'cancelled' : 'finished', ms);
    emit({ type: 'job-finished', jobId, succeeded, failed, skipped, cancelled, ms, status: jobOutcome({ succeeded, failed, skipped, cancelled }) });
    return { jobId, succeeded, failed, skipped, cancelled, ms };
  }

  /** The fingerprint of the settings that decide a request's outputs: with a content hash, what "already restored" means. */
  async fingerprintFor(request: Pick<RestoreRequest, 'outDir'> & JobSettings): Promise<string> {
    const upscale = await resolveUpscale(request, this.deps.models);
    return fingerprintOf(request, resolve(request.outDir), upscale, await facesWillRun(request, this.deps.models));
  }

  private monitorFor(device: ResolvedDevice): MemoryMonitor {
    let monitor = this.monitors.get(device.deviceId);
    if (!monitor) {
      monitor = new MemoryMonitor(device.readFreeMemory);
      this.monitors.set(device.deviceId, monitor);
    }
    return monitor;
  }

  /** One lane per device: its session (opening; runs wait for it), memory model (calibrated from the store) and limits. */
  private buildLane(device: ResolvedDevice, model: InstalledModel, request: RestoreRequest): DeviceLane & { opened: Promise<unknown> } {
    const { manifest } = model;
    // The bundled graphs compute in float32 (fp16 weights are cast at load), so memory is
    // planned for fp32 whatever the setting says; run() warns when fp16 was asked for.
    const precision: Precision = 'fp32';
    const stored = this.deps.calibration?.get(device.deviceId, manifest.id, precision) ?? {};
    const opened = this.deps.sessions.get(model.path, device.session);
    opened.catch(() => {});
    // The executor and the tuner hand each batch over (BatchRunner): it moves to the inference thread uncopied.
    const session = { run: async (feeds: Parameters<Awaited<typeof opened>['run']>[0]) => (await opened).run(feeds, { handOver: true }) };
    // The memory model's ratio for this device, learned by the runner as it measures; the lane reads it.
    const memory = { ratio: stored.memoryRatio ?? 1 };
    return {
      opened,
      deviceId: device.deviceId,
      run: this.measuredRunner(session, manifest, { deviceId: device.deviceId, precision, memory }),
      monitor: this.monitorFor(device),
      budget: device.settings.memoryBudget,
      maxBatch: device.settings.maxBatch,
      precision,
      // On the host CPU batch 1 is fastest (the runtime's convolutions gain nothing from a batch);
      // a batch measured faster there is load noise, and it would also stop photos running whole.
      usefulBatch: device.session.provider === 'cpu' ? 1 : (stored.tunedBatch ?? 1),
      get calibration() {
        return memory.ratio;
      },
      sharesHostCpu: device.session.provider === 'cpu',
      ...(typeof request.batch === 'number' ? { fixedBatch: Math.min(request.batch, 64) } : {}),
      ...(stored.learnedLimitPixels !== undefined ? { learnedLimitPixels: stored.learnedLimitPixels } : {}),
    };
  }

  /**
   * Runs a batch and, on the CPU, measures the peak memory it needed to calibrate the memory
   * model (only when the run allocated fresh memory; later runs of a shape reuse the arena).
   */
  private measuredRunner(
    session: { run: (inputs: Record<string, { data: Float32Array; dims: readonly number[] }>) => Promise<Record<string, { data: Float32Array }>> },
    manifest: ModelManifest,
    device: { deviceId: string; precision: Precision; memory: { ratio: number } },
  ): BatchRunner {
    const measured = new Set<string>();
    return async (input, dims) => {
      const key = dims.join('x');
      const finishPeak = device.deviceId === 'cpu' && !measured.has(key) ? startPeakMeasurement() : undefined;
      const result = await session.run({ [manifest.input.name]: { data: input, dims } });
      const out = result[manifest.output.name];
      if (!out) throw new HeirloomError('INFERENCE_FAILED', `Model ${manifest.id} produced no output named ${manifest.output.name}. Reinstall the model.`);
      if (finishPeak) {
        measured.add(key);
        const peak = finishPeak();
        const estimate = estimateBatchMemory(manifest, dims[2] * dims[3], device.precision, 1).perItemBytes * dims[0];
        if (peak !== undefined && peak > estimate * 0.1) {
          device.memory.ratio = updateCalibration(device.memory.ratio, peak / estimate);
          this.deps.calibration?.update(device.deviceId, manifest.id, device.precision, { memoryRatio: device.memory.ratio });
        }
      }
      return out.data;
    };
  }

  /**
   * The user's tile, the device's setting, or auto: the tuned tile (measured once per device
   * and model, then remembered) and, per photo, the layout with the least measured time.
   */
  private async chooseTile(
    request: RestoreRequest,
    device: ResolvedDevice,
    lane: DeviceLane,
    manifest: ModelManifest,
    jobId: string,
    emit: (e: RestoreEvent) => void,
    signal?: AbortSignal,
  ): Promise<{ tileSize: number; tileFor?: (width: number, height: number) => number }> {
    const stored = this.deps.calibration?.get(device.deviceId, manifest.id, lane.precision) ?? {};
    const budget = budgetBytes(await lane.monitor.freeBytes(), lane.budget);
    const fits = (tile: number, batch: number) =>
      batch <= lane.maxBatch && batchBytes(estimateBatchMemory(manifest, (tile + 2 * manifest.tileOverlap) ** 2, lane.precision, lane.calibration), batch) <= budget;
    const fixedTile = typeof request.tile === 'number' ? request.tile : typeof device.settings.tileSize === 'number' ? device.settings.tileSize : undefined;
    if (fixedTile !== undefined) {
      if (lane.fixedBatch === undefined) lane.usefulBatch = await this.usefulBatchAt(fixedTile, stored, fits, device, lane, manifest, signal);
      return { tileSize: fixedTile };
    }
    let tuning = stored.tuning ?? [];
    let tileSize = stored.tunedTile;
    if (tileSize === undefined) {
      const tune = async () => {
        emit({ type: 'warning', jobId, code: 'TUNING', message: `Measuring the fastest tile size for ${manifest.id} on ${device.deviceId} (once; remembered for next time).`, device: device.deviceId });
        const result = await tuneTileAndBatch({ run: lane.run, pad: manifest.tileOverlap, fits, signal, ...(lane.sharesHostCpu ? { batches: [1] } : {}) });
        lane.usefulBatch = result.batch;
        this.deps.calibration?.update(device.deviceId, manifest.id, lane.precision, { tunedTile: result.tile, tunedBatch: result.batch, tuning: mergePoints(tuning, result.points) });
        return result.points.length > 0 ? result.tile : FALLBACK_TILE;
      };
      // Several processes on one data folder: one measures, the others wait for its result and reuse it.
      tileSize = this.deps.leases
        ? await onceAcrossProcesses({
            leases: this.deps.leases,
            name: `tune:${device.deviceId}:${manifest.id}:${lane.precision}`,
            existing: () => reuseTuning(this.deps.calibration?.get(device.deviceId, manifest.id, lane.precision), lane),
            onWait: () => emit({ type: 'warning', jobId, code: 'TUNING_WAIT', message: `Another Heirloom process is measuring the fastest tile size for ${manifest.id} on ${device.deviceId}; this job uses its result.`, device: device.deviceId }),
            work: tune,
            signal,
          })
        : await tune();
      tuning = this.deps.calibration?.get(device.deviceId, manifest.id, lane.precision)?.tuning ?? tuning;
    }
    // Where batching pays (an accelerator), every photo keeps the tuned tile so tiles of many photos share
    // shapes, and a batch may pad tiles to a shared shape when the measured run cost says it pays.
    if ((lane.fixedBatch ?? lane.usefulBatch) > 1) {
      const cost = batchCostModel(tuning, tileSize, manifest.tileOverlap);
      if (cost) lane.batchCost = cost;
      return { tileSize };
    }
    const larger = await measureWholePhotoShapes({ run: lane.run, pad: manifest.tileOverlap, fits, known: tuning });
    if (larger.length > 0) {
      tuning = mergePoints(tuning, larger);
      this.deps.calibration?.update(device.deviceId, manifest.id, lane.precision, { tuning });
    }
    const curve = costCurve(tuning, manifest.tileOverlap);
    const fitsPixels = (pixels: number) => batchBytes(estimateBatchMemory(manifest, pixels, lane.precision, lane.calibration), 1) <= budget;
    const tileSizes = TILE_CANDIDATES.filter((t) => t <= tileSize);
    const fallback = tileSize;
    return { tileSize, tileFor: (width, height) => choosePhotoTile({ width, height, pad: manifest.tileOverlap, tileSizes, curve, fits: fitsPixels, fallback }).tileSize };
  }

  /**
   * With a tile the user chose and batch "auto": whether batching pays at that tile on this
   * device, measured once (a few runs) and remembered with the other tuning points.
   */
  private async usefulBatchAt(tile: number, stored: Calibration, fits: (tile: number, batch: number) => boolean, device: ResolvedDevice, lane: DeviceLane, manifest: ModelManifest, signal?: AbortSignal): Promise<number> {
    if (lane.sharesHostCpu) return 1;
    const known = bestBatchFrom(stored.tuning ?? [], tile);
    if (known !== undefined) return known;
    // The whole photo as one tile has one shape per photo: nothing to batch; huge tiles are too costly to measure.
    if (tile === 0 || tile > 512 || !fits(tile, 2)) return 1;
    const result = await tuneTileAndBatch({ run: lane.run, pad: manifest.tileOverlap, tiles: [tile], fits, signal });
    this.deps.calibration?.update(device.deviceId, manifest.id, lane.precision, { tuning: mergePoints(stored.tuning, result.points) });
    return result.batch;
  }
}

/** A tuning another process finished: its tile, with its batch for this lane. */
function reuseTuning(stored: Calibration | undefined, lane: DeviceLane): number | undefined {
  if (stored?.tunedTile === undefined) return undefined;
  if (stored.tunedBatch !== undefined && !lane.sharesHostCpu) lane.usefulBatch = stored.tunedBatch;
  return stored.tunedTile;
}

/** Tuning points with newer measurements replacing older ones of the same tile and batch. */
function mergePoints(old: readonly TuningPoint[] | undefined, fresh: readonly TuningPoint[]): TuningPoint[] {
  const key = (p: TuningPoint) => `${p.tile}x${p.batch}`;
  const merged = new Map((old ?? []).map((p) => [key(p), p]));
  for (const p of fresh) merged.set(key(p), p);
  return [...merged.values()];
}

/** Header-only size for the ETA; failures surface later, when the photo is decoded. */
async function headerPixels(file: string, maxPixels: number): Promise<{ pixels?: number }> {
  try {
    const info = await probeImage(file, { maxPixels });
    return { pixels: info.width * info.height };
  } catch {
    return {};
  }
}
