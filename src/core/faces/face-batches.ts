import type { MemoryBudget, Precision } from '../../shared/devices.js';
import { HeirloomError } from '../../shared/errors.js';
import type { ModelManifest } from '../../shared/model-manifest.js';
import { planBatch, type BatchPlan } from '../scheduler/batch-planner.js';
import { estimateBatchMemory, type MemoryEstimate } from '../scheduler/memory-model.js';
import { isOutOfMemoryError } from '../scheduler/out-of-memory.js';
import type { FaceModelRunner } from './face-model-runner.js';
import type { PlanarImage } from './planar-image.js';

/**
 * Memory one batch of faces needs: every aligned face has the model's fixed input shape,
 * so this is the scheduler's memory model at one "tile" of size x size pixels. It comes
 * from the manifest's `cost` when the model has one, else from its input size and the
 * scheduler's conservative per-pixel fallback.
 */
export function faceMemoryEstimate(manifest: ModelManifest, precision: Precision = 'fp32', calibration = 1): MemoryEstimate {
  const size = manifest.input.size;
  if (!size) throw new HeirloomError('MODEL_INVALID', `Face model ${manifest.id} declares no input size; its manifest needs input.size.`);
  return estimateBatchMemory(manifest, size[0] * size[1], precision, calibration);
}

export interface FaceBatchPlanInput {
  manifest: ModelManifest;
  freeBytes: number;
  budget: MemoryBudget;
  precision?: Precision;
  /** The device setting's ceiling and the model's own (a fixed batch dimension). */
  maxBatch: number;
  /** Faces waiting; a batch larger than this would only reserve memory for nothing. */
  faces: number;
}

/** The largest batch of faces that fits the budget (the GPEN practice, with the model's own memory model). */
export function planFaceBatch(input: FaceBatchPlanInput): BatchPlan {
  const size = input.manifest.input.size?.[0] ?? 512;
  const estimate = faceMemoryEstimate(input.manifest, input.precision ?? 'fp32');
  return planBatch({
    freeBytes: input.freeBytes,
    budget: input.budget,
    estimateFor: () => estimate,
    tileCandidates: [size],
    maxBatch: Math.max(1, Math.min(input.maxBatch, input.faces)),
  });
}

export interface FaceBatchProgress {
  /** Faces in the batch just finished. */
  batchSize: number;
  done: number;
  total: number;
}

/**
 * Restores aligned faces (from one photo or many: they all have the model's shape) in
 * batches of at most `batchSize` (and the model's own maximum). When the device runs out of
 * memory the batch is halved and the same faces run again, down to one face at a time.
 * Results keep the input order.
 */
export async function restoreFaceBatches(
  crops: readonly PlanarImage[],
  runner: FaceModelRunner,
  options: { batchSize: number; fidelity: number; onBatch?: (p: FaceBatchProgress) => void; signal?: AbortSignal },
): Promise<PlanarImage[]> {
  let batch = Math.max(1, Math.min(Math.floor(options.batchSize), runner.maxBatch));
  const restored: PlanarImage[] = [];
  while (restored.length < crops.length) {
    if (options.signal?.aborted) throw new HeirloomError('CANCELLED', 'Face restoration was cancelled; nothing was written.');
    const slice = crops.slice(restored.length, restored.length + batch);
    try {
      restored.push(...(await runner.run(slice, options.fidelity)));
    } catch (error) {
      if (!isOutOfMemoryError(error) || slice.length === 1) throw error;
      batch = Math.max(1, Math.floor(slice.length / 2));
      continue;
    }
    options.onBatch?.({ batchSize: slice.length, done: restored.length, total: crops.length });
  }
  return restored;
}
