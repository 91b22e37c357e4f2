import { FacePass } from '../faces/face-pass.js';
import { faceKey } from '../faces/face-pipeline.js';
import type { ModelRegistry } from '../models/model-registry.js';
import type { JobSettings } from '../../shared/job-settings.js';
import type { StageDefinition } from './stage-definition.js';

/** Faces: detect, align, restore with a face model and paste back, on the restored photo before encoding. */
export const facesStage: StageDefinition = {
  name: 'faces',
  wanted: (settings) => settings.faces !== undefined || settings.facesIfInstalled === true,
  async open(settings, services) {
    if (!(await facesWillRun(settings, services.models))) {
      return { unavailable: 'No face-restoration model is installed, so faces were not restored; the rest of the repair ran. Download one ("heirloom models download gfpgan-1.4") to restore faces too.' };
    }
    const pass = await FacePass.open({ models: services.models, sessions: services.sessions }, settings.faces ?? {}, services.device);
    return {
      on: 'canvas',
      name: 'faces',
      progress: 'faces',
      resolved: { faces: { modelId: pass.manifest.id, weight: pass.weight, fidelity: pass.fidelity } },
      items: (image, scale, signal) => pass.footprints(image.pixels, scale, signal),
      async run(photo, signal, only) {
        const tiles = photo.plan.tiles.length;
        const { faces } = await pass.restore(only ? { ...photo, only: (face) => only.has(faceKey(face)) } : photo, {
          ...(signal ? { signal } : {}),
          onProgress: (p) => services.progress(photo.file, { stage: 'faces', value: 1, tile: tiles, tiles, batchSize: p.batchSize, recommendedBatch: p.batchSize, tileSize: photo.plan.coreWidth, faces: p.faces }),
        });
        photo.notes.push(only ? `${faces} face${faces === 1 ? '' : 's'} restored again (the others kept)` : `${faces} face${faces === 1 ? '' : 's'} restored`);
      },
    };
  },
};

/** Whether the faces stage runs for these settings: asked for, or "if installed" and a face model is installed. */
export async function facesWillRun(settings: Pick<JobSettings, 'faces' | 'facesIfInstalled'>, models: ModelRegistry): Promise<boolean> {
  return settings.faces !== undefined || (settings.facesIfInstalled === true && (await hasFaceModel(models)));
}

/** Whether any face-restoration model is installed ("faces if installed" runs only then). */
export async function hasFaceModel(models: ModelRegistry): Promise<boolean> {
  return (await models.list()).some((m) => m.manifest.task === 'face-restore');
}
