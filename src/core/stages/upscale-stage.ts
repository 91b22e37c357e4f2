import { HeirloomError } from '../../shared/errors.js';
import { NO_UPSCALE_MODEL, type JobSettings } from '../../shared/job-settings.js';
import { DEFAULT_MODEL_ID } from '../../shared/model-manifest.js';
import type { InstalledModel, ModelRegistry } from '../models/model-registry.js';

/** The super-resolution stage of a job: its model and the scale it writes, or none. */
export interface UpscaleChoice {
  /** Absent for `--model none`: the photo keeps its size. */
  model?: InstalledModel;
  scale: number;
  /** The model id the history records ("none" without a network). */
  modelId: string;
}

/**
 * Resolves the upscale stage's model and scale: the network is tiled, scheduled and batched
 * by the executor (src/core/scheduler), so this stage is only its choice and its checks.
 */
export async function resolveUpscale(settings: JobSettings, models: ModelRegistry): Promise<UpscaleChoice> {
  const modelId = settings.modelId ?? DEFAULT_MODEL_ID;
  if (modelId === NO_UPSCALE_MODEL) {
    if (settings.scale !== undefined && settings.scale !== 1) throw new HeirloomError('USAGE', `--model none keeps each photo's size, so --scale must be 1 (or left out), got ${settings.scale}.`);
    return { scale: 1, modelId };
  }
  const model = await models.get(modelId);
  const { manifest } = model;
  if (manifest.task !== 'restore-upscale') throw new HeirloomError('USAGE', `Model ${manifest.id} is a ${manifest.task} model; pick a restoration model (see "heirloom models"), or "none" to keep the photo's size.`);
  const scale = settings.scale ?? manifest.scale;
  if (!Number.isInteger(scale) || scale < 1 || scale > manifest.scale) {
    throw new HeirloomError('USAGE', `--scale must be a whole number from 1 to ${manifest.scale} for model ${manifest.id}, got ${settings.scale}.`);
  }
  return { model, scale, modelId: manifest.id };
}
