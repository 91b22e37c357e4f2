import { HeirloomError } from '../../shared/errors.js';
import { DEFAULT_FACE_TEMPLATE, type FaceTemplateName, type ModelManifest } from '../../shared/model-manifest.js';
import type { InputTensorData, TensorData, TensorInfo } from '../inference/ort-backend.js';
import type { PlanarImage } from './planar-image.js';

/** What the face path needs from a model session (ModelSession satisfies it). */
export interface FaceModelSession {
  run(inputs: Record<string, InputTensorData>): Promise<Record<string, TensorData>>;
  /** Declared inputs; used to learn a fixed batch dimension and side-input types. */
  readonly inputs?: readonly TensorInfo[];
}

/** Runs a face-restoration model on aligned crops, driven only by its manifest. */
export interface FaceModelRunner {
  readonly modelId: string;
  /** Side of the square crop the model takes. */
  readonly size: number;
  /** Where the model wants the landmarks in its crop (the manifest's template). */
  readonly template: FaceTemplateName;
  /** Largest batch the model accepts (1 when its export fixed the batch dimension). */
  readonly maxBatch: number;
  /** Restores crops (RGB 0..1) in one call; `fidelity` (0..1) feeds a declared fidelity input. */
  run(crops: readonly PlanarImage[], fidelity: number): Promise<PlanarImage[]>;
}

/**
 * Builds the runner from the manifest: input name, size, alignment template, channel order
 * (RGB/BGR) and value range in and out, and any `extraInputs` of kind "fidelity"
 * (CodeFormer's w), fed as float64 when the model declares a double input and float32 otherwise.
 */
export function createFaceModelRunner(session: FaceModelSession, manifest: ModelManifest): FaceModelRunner {
  if (manifest.task !== 'face-restore') {
    throw new HeirloomError('MODEL_INVALID', `Model ${manifest.id} is a ${manifest.task} model, not a face-restoration model. Pick one with task "face-restore" (see "heirloom models").`);
  }
  const size = manifest.input.size;
  if (!size || size[0] !== size[1]) {
    throw new HeirloomError('MODEL_INVALID', `Face model ${manifest.id} must declare a square input size in its manifest (input.size), e.g. [512, 512]. Fix or reinstall the model.`);
  }
  const side = size[0];
  const declared = new Map((session.inputs ?? []).map((t) => [t.name, t]));
  const batchDim = declared.get(manifest.input.name)?.shape[0];
  const maxBatch = typeof batchDim === 'number' && batchDim > 0 ? batchDim : Number.POSITIVE_INFINITY;
  const fidelityInputs = Object.entries(manifest.extraInputs ?? {})
    .filter(([, spec]) => spec.kind === 'fidelity')
    .map(([name]) => {
      const info = declared.get(name);
      const dims = info && info.shape.every((d) => typeof d === 'number') ? (info.shape as number[]) : [1];
      return { name, double: info?.type === 'float64', dims };
    });
  const [inLo, inHi] = manifest.input.range;
  const [outLo, outHi] = manifest.output.range;
  const bgr = manifest.input.channels === 'BGR';

  return {
    modelId: manifest.id,
    size: side,
    template: manifest.template ?? DEFAULT_FACE_TEMPLATE,
    maxBatch,
    async run(crops, fidelity) {
      const n = crops.length;
      if (n === 0) return [];
      const plane = side * side;
      const input = new Float32Array(n * 3 * plane);
      const inScale = inHi - inLo;
      crops.forEach((crop, i) => {
        if (crop.width !== side || crop.height !== side) throw new RangeError(`Face crop is ${crop.width}x${crop.height}; model ${manifest.id} takes ${side}x${side}.`);
        for (let c = 0; c < 3; c++) {
          const from = (bgr ? 2 - c : c) * plane;
          const to = (i * 3 + c) * plane;
          for (let p = 0; p < plane; p++) input[to + p] = inLo + crop.data[from + p]! * inScale;
        }
      });
      const feeds: Record<string, InputTensorData> = { [manifest.input.name]: { data: input, dims: [n, 3, side, side] } };
      const w = Math.min(1, Math.max(0, fidelity));
      for (const f of fidelityInputs) {
        const length = f.dims.reduce((a, b) => a * b, 1);
        feeds[f.name] = { data: f.double ? new Float64Array(length).fill(w) : new Float32Array(length).fill(w), dims: f.dims };
      }
      const result = await session.run(feeds);
      const out = result[manifest.output.name];
      if (!out) throw new HeirloomError('INFERENCE_FAILED', `Face model ${manifest.id} produced no output named "${manifest.output.name}". Check its manifest's output.name.`);
      if (out.data.length !== n * 3 * plane) {
        throw new HeirloomError('INFERENCE_FAILED', `Face model ${manifest.id} returned ${out.dims.join('x')} for ${n} crops of ${side}x${side}; it must return N x 3 x ${side} x ${side}.`);
      }
      const outScale = 1 / (outHi - outLo);
      return crops.map((_, i) => {
        const data = new Float32Array(3 * plane);
        for (let c = 0; c < 3; c++) {
          const from = (i * 3 + (bgr ? 2 - c : c)) * plane;
          const to = c * plane;
          for (let p = 0; p < plane; p++) {
            const v = (out.data[from + p]! - outLo) * outScale;
            // NaN and out-of-range values clamp: a wild pixel can never wrap around.
            data[to + p] = v > 0 ? (v < 1 ? v : 1) : 0;
          }
        }
        return { width: side, height: side, channels: 3, data } satisfies PlanarImage;
      });
    },
  };
}
