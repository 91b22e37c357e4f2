import type { ModelManifest } from '../../shared/model-manifest.js';
import type { Precision } from '../../shared/devices.js';

/**
 * Bytes one batch needs on a device: a fixed part (weights, runtime) plus a part per batch
 * item that scales with the padded tile's pixels. The estimate comes from the ONNX graph
 * (the manifest's `cost`); measurement while running refines it through `calibration`, a
 * smoothed measured/estimated ratio stored per device and model.
 *
 * A fixed "150 MB per megapixel" rule is wrong by 7-100x for Real-ESRGAN-class models:
 * realesr-general-x4v3 keeps 64-channel float maps at full input resolution plus a 48-channel
 * map before the 4x pixel shuffle, far more than a GPEN-class face model per pixel.
 */
export interface MemoryEstimate {
  fixedBytes: number;
  perItemBytes: number;
}

/** Runtime scratch space (im2col buffers, arena slack) on top of live activations. */
export const WORKSPACE_FACTOR = 1.5;
/** Activations per input pixel when a manifest has no cost block: conservative for 64-channel SR nets. */
const FALLBACK_ACTIVATION_BYTES_PER_PIXEL = 2048;
const RUNTIME_OVERHEAD_BYTES = 64 * 1024 * 1024;

export function estimateBatchMemory(manifest: ModelManifest, paddedTilePixels: number, precision: Precision, calibration = 1): MemoryEstimate {
  const bytesPerValue = precision === 'fp16' ? 2 : 4;
  const activation = (manifest.cost?.activationBytesPerInputPixel ?? FALLBACK_ACTIVATION_BYTES_PER_PIXEL) * (bytesPerValue / 4);
  const io = 3 * 4 * paddedTilePixels * (1 + manifest.scale * manifest.scale);
  const perItemBytes = Math.ceil((activation * paddedTilePixels * WORKSPACE_FACTOR + io) * calibration);
  const weights = (manifest.cost?.weightBytes ?? manifest.sizeBytes) * (precision === 'fp16' ? 1 : 2);
  return { fixedBytes: Math.ceil(weights + RUNTIME_OVERHEAD_BYTES), perItemBytes };
}

export function batchBytes(estimate: MemoryEstimate, batch: number): number {
  return estimate.fixedBytes + estimate.perItemBytes * batch;
}

/** Blends a new measured/estimated ratio into the stored one; one odd reading cannot swing it. */
export function updateCalibration(previous: number | undefined, measuredRatio: number, weight = 0.3): number {
  if (!Number.isFinite(measuredRatio) || measuredRatio <= 0) return previous ?? 1;
  // The estimate must never be calibrated down to nothing by a run that reused arena memory.
  const ratio = Math.min(Math.max(measuredRatio, 0.25), 16);
  return previous === undefined ? ratio : previous * (1 - weight) + ratio * weight;
}
