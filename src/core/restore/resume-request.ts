import { PROVIDERS, type ProviderName } from '../../shared/devices.js';
import { HeirloomError } from '../../shared/errors.js';
import type { FaceSettings } from '../../shared/face-settings.js';
import type { FormatChoice } from '../imaging/codec.js';
import type { JobRecord } from '../store/job-store.js';
import type { RestoreRequest } from './restore-engine.js';

const FORMATS: readonly string[] = ['keep', 'png', 'jpeg', 'webp', 'tiff'];

/**
 * The request that continues a job with the settings it was started with (as the engine
 * recorded them): `heirloom resume`, the app on launch, a watch folder coming back.
 */
export function resumeRequest(job: JobRecord): RestoreRequest {
  const s = job.settings;
  if (typeof s.outDir !== 'string') throw new HeirloomError('STORE_FAILED', `Job ${job.id} has no output folder in the history, so it cannot be resumed. Restore its photos again instead.`);
  const faces = record(s.faces);
  return {
    inputs: Array.isArray(s.inputs) ? s.inputs.filter((i): i is string => typeof i === 'string') : job.files.map((f) => f.inputPath),
    outDir: s.outDir,
    modelId: typeof s.modelId === 'string' ? s.modelId : job.modelId,
    resumeJobId: job.id,
    kind: job.kind,
    ...(job.watchFolderId ? { watchFolderId: job.watchFolderId } : {}),
    ...(typeof s.scale === 'number' ? { scale: s.scale } : {}),
    ...(typeof s.tile === 'number' || s.tile === 'auto' ? { tile: s.tile } : {}),
    ...(typeof s.batch === 'number' || s.batch === 'auto' ? { batch: s.batch } : {}),
    ...(typeof s.format === 'string' && FORMATS.includes(s.format) ? { format: s.format as FormatChoice } : {}),
    ...(typeof s.overwrite === 'boolean' ? { overwrite: s.overwrite } : {}),
    ...(typeof s.quality === 'number' ? { quality: s.quality } : {}),
    ...(typeof s.stripMetadata === 'boolean' ? { stripMetadata: s.stripMetadata } : {}),
    ...(typeof s.maxPixels === 'number' ? { maxPixels: s.maxPixels } : {}),
    ...(typeof s.deviceId === 'string' ? { deviceId: s.deviceId } : {}),
    ...(typeof s.provider === 'string' && (PROVIDERS as readonly string[]).includes(s.provider) ? { provider: s.provider as ProviderName } : {}),
    ...(typeof s.threads === 'number' ? { threads: s.threads } : {}),
    ...(faces ? { faces: recordedFaces(faces) } : {}),
  };
}

/** The face settings as recorded; a job recorded before --face-fidelity existed resumes with the default. */
function recordedFaces(faces: Record<string, unknown>): FaceSettings {
  return {
    ...(typeof faces.modelId === 'string' ? { modelId: faces.modelId } : {}),
    ...(typeof faces.weight === 'number' ? { weight: faces.weight } : {}),
    ...(typeof faces.fidelity === 'number' ? { fidelity: faces.fidelity } : {}),
  };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}
