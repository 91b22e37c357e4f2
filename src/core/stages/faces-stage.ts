import { FacePass } from '../faces/face-pass.js';
import type { StageDefinition } from './stage-definition.js';

/** Faces: detect, align, restore with a face model and paste back, on the restored photo before encoding. */
export const facesStage: StageDefinition = {
  name: 'faces',
  wanted: (settings) => settings.faces !== undefined,
  async open(settings, services) {
    const pass = await FacePass.open({ models: services.models, sessions: services.sessions }, settings.faces ?? {}, services.device);
    return {
      on: 'canvas',
      name: 'faces',
      progress: 'faces',
      resolved: { faces: { modelId: pass.manifest.id, weight: pass.weight, fidelity: pass.fidelity } },
      async run(photo, signal) {
        const tiles = photo.plan.tiles.length;
        const { faces } = await pass.restore(photo, {
          ...(signal ? { signal } : {}),
          onProgress: (p) => services.progress(photo.file, { stage: 'faces', value: 1, tile: tiles, tiles, batchSize: p.batchSize, recommendedBatch: p.batchSize, tileSize: photo.plan.coreWidth, faces: p.faces }),
        });
        photo.notes.push(`${faces} face${faces === 1 ? '' : 's'} restored`);
      },
    };
  },
};
