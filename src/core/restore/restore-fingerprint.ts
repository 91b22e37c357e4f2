import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { DEFAULT_FACE_FIDELITY, DEFAULT_FACE_WEIGHT, type FaceSettings } from '../../shared/face-settings.js';
import { fadingStrengthSet } from '../../shared/job-settings.js';

/** The settings that decide what a restored photo looks like and where it is written. */
export interface FingerprintSettings {
  outDir: string;
  modelId: string;
  /** The resolved scale (the model's when the user gave none). */
  scale: number;
  format?: string | undefined;
  quality?: number | undefined;
  stripMetadata?: boolean | undefined;
  /** As requested: without a face model id the default one ("auto") is meant. */
  faces?: FaceSettings | undefined;
  /** Faces when a face model is installed (the old-photo preset). */
  facesIfInstalled?: boolean | undefined;
  /** The repair stages: damage repair (with an edited mask, or the detector's) and fading. */
  scratches?: boolean | undefined;
  maskFile?: string | undefined;
  fading?: boolean | undefined;
  /** Per cent, instead of the measured strength (with fading only). */
  fadingStrength?: number | undefined;
}

/**
 * A photo is "the same work" when its content hash and this fingerprint match: then an
 * earlier output is reused instead of restoring it again. Tile size, batch and device are
 * left out on purpose: they change how fast, not what comes out (tiles carry the model's
 * whole receptive field, see tiler.ts). A changed face model, weight or fidelity, repair stage
 * (damage repair, its edited mask, fading and its strength), scale, format, quality, metadata choice or output
 * folder makes new work. Which weights found the damage and how fading was measured
 * (damageModel, fadingMethod) are left out too, like a model's own improvements: a new
 * version does not restore every watched photo again. Repair again, which reuses an earlier
 * output's pixels, checks both (repair-again-work.ts).
 */
export function restoreFingerprint(settings: FingerprintSettings): string {
  const canonical = {
    v: 1,
    outDir: resolve(settings.outDir),
    modelId: settings.modelId,
    scale: settings.scale,
    format: settings.format ?? 'keep',
    quality: settings.quality ?? null,
    stripMetadata: settings.stripMetadata ?? false,
    faces: settings.faces ? canonicalFaces(settings.faces) : null,
    // Present only when on (JSON leaves undefined out): fingerprints recorded before the
    // repair stages existed stay valid, and a repaired photo is never "the same" as a plain one.
    facesIfInstalled: settings.facesIfInstalled === true ? true : undefined,
    scratches: settings.scratches === true ? true : undefined,
    maskFile: settings.scratches === true && settings.maskFile ? resolve(settings.maskFile) : undefined,
    fading: settings.fading === true ? true : undefined,
    fadingStrength: fadingStrengthSet(settings),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 32);
}

/**
 * The fidelity is left out at its default so that every fingerprint recorded before
 * --face-fidelity existed stays valid (a watch folder with faces does not restore its whole
 * folder again after an update).
 */
function canonicalFaces(faces: FaceSettings): Record<string, unknown> {
  const fidelity = faces.fidelity ?? DEFAULT_FACE_FIDELITY;
  return { modelId: faces.modelId ?? 'auto', weight: faces.weight ?? DEFAULT_FACE_WEIGHT, ...(fidelity === DEFAULT_FACE_FIDELITY ? {} : { fidelity }) };
}
