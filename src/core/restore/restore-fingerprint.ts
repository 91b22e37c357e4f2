import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { DEFAULT_FACE_WEIGHT } from '../faces/face-pass.js';

/** The settings that decide what a restored photo looks like and where it is written. */
export interface FingerprintSettings {
  outDir: string;
  modelId: string;
  /** The resolved scale (the model's when the user gave none). */
  scale: number;
  format?: string;
  quality?: number;
  stripMetadata?: boolean;
  /** As requested: without a face model id the default one ("auto") is meant. */
  faces?: { modelId?: string; weight?: number };
}

/**
 * A photo is "the same work" when its content hash and this fingerprint match: then an
 * earlier output is reused instead of restoring it again. Tile size, batch and device are
 * left out on purpose: they change how fast, not what comes out (tiles carry the model's
 * whole receptive field, see tiler.ts). A changed face model or weight, scale, format,
 * quality, metadata choice or output folder makes new work.
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
    faces: settings.faces ? { modelId: settings.faces.modelId ?? 'auto', weight: settings.faces.weight ?? DEFAULT_FACE_WEIGHT } : null,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 32);
}
