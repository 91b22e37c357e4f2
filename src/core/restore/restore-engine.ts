import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { HeirloomError, toErrorInfo } from '../../shared/errors.js';
import { DEFAULT_MODEL_ID } from '../../shared/model-manifest.js';
import type { RestoreEvent } from '../../shared/events.js';
import { DEFAULT_MAX_PIXELS, type FormatChoice } from '../imaging/codec.js';
import { collectInputs } from '../fs/collect-inputs.js';
import type { ModelRegistry } from '../models/model-registry.js';
import type { SessionPool } from '../inference/session-pool.js';
import type { SessionConfig } from '../inference/ort-backend.js';
import type { ProviderName } from '../../shared/devices.js';
import type { JobStore } from '../store/job-store.js';
import { newJobId } from './job-id.js';
import { restorePhoto, type BatchRunner, type PhotoSettings } from './restore-photo.js';

export interface RestoreRequest {
  inputs: string[];
  outDir: string;
  modelId?: string;
  /** Output scale 1..model scale; defaults to the model's. */
  scale?: number;
  tile?: number | 'auto';
  batch?: number | 'auto';
  deviceId?: string;
  /** Overrides the device's provider for this run. */
  provider?: ProviderName;
  format?: FormatChoice;
  quality?: number;
  overwrite?: boolean;
  maxPixels?: number;
  threads?: number;
}

export interface RestoreSummary {
  jobId: string;
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: boolean;
  ms: number;
}

/** Turns the user's device choice into a session configuration (devices/ implements it). */
export interface DeviceResolver {
  resolve(request: { deviceId?: string; provider?: ProviderName; threads?: number }): Promise<ResolvedDevice>;
}

export interface ResolvedDevice {
  deviceId: string;
  session: SessionConfig;
  /** Shown to the user as warning events, e.g. a provider that fell back to the CPU. */
  warnings: Array<{ code: string; message: string }>;
}

/** Without device discovery: the CPU, always available. */
export const cpuOnly: DeviceResolver = {
  async resolve(request) {
    const warnings = request.deviceId && request.deviceId !== 'cpu' ? [{ code: 'DEVICE_NOT_FOUND', message: `Device ${request.deviceId} is unknown; using the CPU.` }] : [];
    return { deviceId: 'cpu', session: { provider: 'cpu', ...(request.threads ? { threads: request.threads } : {}) }, warnings };
  },
};

export interface RestoreEngineDeps {
  models: ModelRegistry;
  sessions: SessionPool;
  jobs: JobStore;
  devices?: DeviceResolver;
}

/** Tile size used when the user says "auto" and nothing better is known. */
export const DEFAULT_TILE = 128;

/**
 * Restores a list of files and folders into an output folder, one job in the history.
 * A bad photo fails alone: it gets a file-failed event and the rest go on.
 */
export class RestoreEngine {
  constructor(private readonly deps: RestoreEngineDeps) {}

  async run(request: RestoreRequest, emit: (event: RestoreEvent) => void, signal?: AbortSignal): Promise<RestoreSummary> {
    const started = Date.now();
    const model = await this.deps.models.get(request.modelId ?? DEFAULT_MODEL_ID);
    const { manifest } = model;
    const scale = request.scale ?? manifest.scale;
    if (!Number.isInteger(scale) || scale < 1 || scale > manifest.scale) {
      throw new HeirloomError('USAGE', `--scale must be a whole number from 1 to ${manifest.scale} for model ${manifest.id}, got ${request.scale}.`);
    }
    const outDir = resolve(request.outDir);
    await ensureWritableFolder(outDir);

    const entries = await collectInputs(request.inputs, { exclude: [outDir] });
    const device = await (this.deps.devices ?? cpuOnly).resolve({
      ...(request.deviceId ? { deviceId: request.deviceId } : {}),
      ...(request.provider ? { provider: request.provider } : {}),
      ...(request.threads ? { threads: request.threads } : {}),
    });
    const deviceId = device.deviceId;
    const tileSize = request.tile === undefined || request.tile === 'auto' ? DEFAULT_TILE : request.tile;
    const batchSize = request.batch === undefined || request.batch === 'auto' ? 1 : request.batch;
    const settings: PhotoSettings = {
      manifest,
      scale,
      tileSize,
      batchSize,
      format: request.format ?? 'keep',
      overwrite: request.overwrite ?? false,
      maxPixels: request.maxPixels ?? DEFAULT_MAX_PIXELS,
      outDir,
      ...(request.quality === undefined ? {} : { quality: request.quality }),
    };

    const jobId = newJobId();
    this.deps.jobs.createJob({
      id: jobId,
      settings: { outDir, modelId: manifest.id, scale, tile: request.tile ?? 'auto', batch: request.batch ?? 'auto', format: settings.format, overwrite: settings.overwrite },
      modelId: manifest.id,
      deviceId,
      inputs: entries.map((e) => e.path),
    });
    emit({ type: 'job-started', jobId, files: entries.length, model: manifest.id, device: deviceId });
    for (const warning of device.warnings) emit({ type: 'warning', jobId, code: warning.code, message: warning.message, device: deviceId });

    const session = await this.deps.sessions.get(model.path, device.session);
    const inputName = manifest.input.name;
    const outputName = manifest.output.name;
    const runBatch: BatchRunner = async (input, dims) => {
      const result = await session.run({ [inputName]: { data: input, dims } });
      const out = result[outputName];
      if (!out) throw new HeirloomError('INFERENCE_FAILED', `Model ${manifest.id} produced no output named ${outputName}.`);
      return out.data;
    };

    let succeeded = 0;
    let failed = 0;
    let cancelled = false;
    for (const [position, entry] of entries.entries()) {
      if (signal?.aborted) {
        cancelled = true;
        this.deps.jobs.markFileCancelled(jobId, position);
        continue;
      }
      const file = entry.path;
      if (entry.error) {
        failed++;
        this.deps.jobs.markFileFailed(jobId, position, entry.error);
        emit({ type: 'file-failed', jobId, file, code: entry.error.code, message: entry.error.message });
        continue;
      }
      const fileStarted = Date.now();
      this.deps.jobs.markFileRunning(jobId, position);
      try {
        const result = await restorePhoto(
          file,
          settings,
          runBatch,
          (p) =>
            emit({
              type: 'progress',
              jobId,
              file,
              stage: p.stage,
              value: p.tiles === 0 ? 0 : p.tile / p.tiles,
              tile: p.tile,
              tiles: p.tiles,
              batchSize: p.batchSize,
              recommendedBatch: batchSize,
              tileSize,
              device: deviceId,
            }),
          signal,
        );
        const ms = Date.now() - fileStarted;
        succeeded++;
        this.deps.jobs.markFileDone(jobId, position, { outputPath: result.output, width: result.width, height: result.height, ms });
        emit({ type: 'file-done', jobId, file, output: result.output, width: result.width, height: result.height, ms, ...(result.notes.length ? { notes: result.notes } : {}) });
      } catch (error) {
        const info = toErrorInfo(error, { file, code: 'INFERENCE_FAILED' });
        if (info.code === 'CANCELLED') {
          cancelled = true;
          this.deps.jobs.markFileCancelled(jobId, position);
          continue;
        }
        failed++;
        this.deps.jobs.markFileFailed(jobId, position, { code: info.code, message: info.message, ms: Date.now() - fileStarted });
        emit({ type: 'file-failed', jobId, file, code: info.code, message: info.message, ...(info.cause ? { cause: info.cause } : {}) });
      }
    }
    const ms = Date.now() - started;
    this.deps.jobs.finishJob(jobId, { status: cancelled ? 'cancelled' : 'finished', ms });
    emit({ type: 'job-finished', jobId, succeeded, failed, skipped: 0, cancelled, ms });
    return { jobId, succeeded, failed, skipped: 0, cancelled, ms };
  }
}

/** The output folder is created and proven writable before any work starts. */
export async function ensureWritableFolder(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
    const probe = `${dir}/.heirloom-write-test-${process.pid}`;
    await fs.writeFile(probe, '');
    await fs.rm(probe);
  } catch (error) {
    throw new HeirloomError('OUTPUT_NOT_WRITABLE', `The output folder ${dir} cannot be created or written (${(error as Error).message}). Choose another folder or fix its permissions.`, { file: dir, cause: error });
  }
}
