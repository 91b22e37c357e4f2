import { z } from 'zod';

/**
 * What a bundled or installed model is and how to feed it. The pipeline is driven by the
 * manifest, never by the model's name, so any model with a valid manifest runs.
 */
export const ModelTaskSchema = z.enum(['restore-upscale', 'face-restore', 'face-detect', 'damage-detect']);
export type ModelTask = z.infer<typeof ModelTaskSchema>;

export const ValueRangeSchema = z.tuple([z.number(), z.number()]);

/**
 * Where a face-restoration model expects the five landmarks in its crop. 'ffhq' is
 * facexlib's FFHQ template (GFPGAN, CodeFormer, GPEN-BFR-512); 'arcface_128' is FaceFusion's
 * template of that name, which its GPEN-BFR-256 export is aligned with. Absent = 'ffhq'.
 */
export const FaceTemplateSchema = z.enum(['ffhq', 'arcface_128']);
export type FaceTemplateName = z.infer<typeof FaceTemplateSchema>;
export const DEFAULT_FACE_TEMPLATE: FaceTemplateName = 'ffhq';

export const ModelManifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, ".", "_" and "-"'),
  name: z.string().min(1),
  task: ModelTaskSchema,
  /** Output side / input side (1 for face and detection models). */
  scale: z.number().int().min(1).max(8),
  /** ONNX file, relative to the manifest's folder. */
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sizeBytes: z.number().int().nonnegative(),
  input: z.object({
    name: z.string(),
    layout: z.literal('NCHW'),
    channels: z.enum(['RGB', 'BGR']),
    range: ValueRangeSchema,
    /** Fixed spatial size (face models); absent when any size works. */
    size: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
  }),
  output: z.object({
    name: z.string(),
    range: ValueRangeSchema,
  }),
  /** Height and width the network needs to be a multiple of (a U-Net's downsampling); inputs are padded up to it. */
  sizeMultiple: z.number().int().min(1).max(256).optional(),
  /** Context in input pixels each tile needs on every side for tiled output to match whole-image output. */
  tileOverlap: z.number().int().nonnegative(),
  /** Weights precision as stored; compute is float32 unless a provider runs fp16. */
  weightsPrecision: z.enum(['fp32', 'fp16']),
  /** From the ONNX graph: multiply-adds x2 per input pixel, and float32 activation bytes per input pixel at peak. */
  cost: z
    .object({
      flopsPerInputPixel: z.number().positive(),
      activationBytesPerInputPixel: z.number().positive(),
      weightBytes: z.number().nonnegative(),
    })
    .optional(),
  licence: z.object({ name: z.string(), file: z.string().optional(), source: z.string() }),
  source: z.enum(['bundled', 'imported', 'downloaded']).default('bundled'),
  /** Free-form provenance: what it was converted from, by which script. */
  origin: z.string().optional(),
  /** Face-restore models: the alignment template (absent = DEFAULT_FACE_TEMPLATE). */
  template: FaceTemplateSchema.optional(),
  /** Optional extra inputs the model has (e.g. CodeFormer's fidelity weight). */
  extraInputs: z.record(z.string(), z.object({ kind: z.literal('fidelity') })).optional(),
});

export type ModelManifest = z.infer<typeof ModelManifestSchema>;

export const DEFAULT_MODEL_ID = 'realesr-general-x4v3';
