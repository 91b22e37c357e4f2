import { z } from 'zod';
import { ModelManifestSchema } from './model-manifest.js';

/** How much of the restored face replaces the background model's face (0 = none, 1 = all of it in the mask's core). */
export const DEFAULT_FACE_WEIGHT = 0.7;

/**
 * What a model with a fidelity input (CodeFormer's `w`) is fed: 0 = most restoration,
 * 1 = closest to the input. 0.5 is CodeFormer's and FaceFusion's default.
 */
export const DEFAULT_FACE_FIDELITY = 0.5;

const UnitIntervalSchema = z.number().min(0).max(1);

/**
 * The face settings of a restore job (`--faces`, `--face-model`, `--face-weight`,
 * `--face-fidelity`), as requested and as recorded in the history; absent = default.
 */
export const FaceSettingsSchema = z.strictObject({
  modelId: ModelManifestSchema.shape.id.optional(),
  weight: UnitIntervalSchema.optional(),
  fidelity: UnitIntervalSchema.optional(),
});
export type FaceSettings = z.infer<typeof FaceSettingsSchema>;
