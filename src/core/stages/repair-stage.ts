import { DamageDetector, detectorIdentity } from '../repair/damage-detector.js';
import { inpaint } from '../repair/inpaint.js';
import { encodeMaskPng, readMaskPng } from '../imaging/mask-png.js';

import type { StageDefinition } from './stage-definition.js';

/**
 * Damage repair: the damage detector finds scratches, cracks, dust and small tears (a
 * network run in tiles on the job's device), and the masked pixels are inpainted at the
 * photo's own resolution, before upscaling. Pixels outside the (grown) mask never change.
 * With an edited mask (`maskFile`, "Repair again"), that mask is used as drawn (not grown: it was
 * drawn over the grown mask Compare shows) and the detector is not run.
 */
export const repairStage: StageDefinition = {
  name: 'repair',
  wanted: (settings) => settings.scratches === true,
  async open(settings, services) {
    const maskFile = settings.maskFile;
    const detector = maskFile ? null : await DamageDetector.open({ models: services.models, sessions: services.sessions }, services.device);
    return {
      on: 'image',
      name: 'repair',
      progress: 'repairing',
      ...(detector ? { resolved: { damageModel: detectorIdentity(detector.manifest) } } : {}),
      async run({ file, image, signal, notes, sidecars }) {
        const mask = detector
          ? (
              await detector.detect(image.pixels, {
                ...(signal ? { signal } : {}),
                onProgress: (p) => services.progress(file, { stage: 'repairing', value: p.tiles === 0 ? 0 : p.tile / p.tiles, ...p }),
              })
            ).mask
          : await readMaskPng(maskFile!, image.width, image.height);
        // An edited mask is drawn over the repaired area Compare shows (the grown mask): it is repaired as drawn, not grown again.
        const repaired = await inpaint(image, mask, detector ? {} : { grow: 0 });
        const share = repaired.grownMask.reduce((sum, v) => sum + v, 0) / repaired.grownMask.length;
        notes.push(`damage repaired on ${formatShare(share)} of the photo`);
        if (settings.saveMasks) sidecars.push({ suffix: '.mask.png', write: (path) => encodeMaskPng(repaired.grownMask, image.width, image.height, path) });
        return repaired.image;
      },
    };
  },
};

/** "2.5 %" of the photo, "<0.1 %" for a trace. */
export function formatShare(share: number): string {
  const percent = share * 100;
  return `${percent < 0.1 && percent > 0 ? '<0.1' : percent.toFixed(percent < 10 ? 1 : 0)} %`;
}
