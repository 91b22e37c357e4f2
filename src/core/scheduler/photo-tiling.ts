import type { TuningPoint } from '../store/calibration-store.js';
import { computedPixels, planPhotoTiles, type TilePlan } from '../inference/tiler.js';

/** Measured cost of one run at a given input size: microseconds per input pixel (context included). */
export interface CostPoint {
  inputPixels: number;
  usPerInputPixel: number;
}

/**
 * The tuner's batch-1 points as cost per computed pixel, by input size. A point stores time
 * per owned pixel of a square tile with `pad` on every side; per input pixel is that times
 * the owned share.
 */
export function costCurve(points: readonly TuningPoint[], pad: number): CostPoint[] {
  return points
    .filter((p) => p.batch === 1 && p.tile > 0)
    .map((p) => ({ inputPixels: (p.tile + 2 * pad) ** 2, usPerInputPixel: (p.usPerPixel * p.tile * p.tile) / (p.tile + 2 * pad) ** 2 }))
    .sort((a, b) => a.inputPixels - b.inputPixels);
}

/** Interpolated cost per input pixel; undefined beyond the largest shape measured (never guessed). */
export function costAt(curve: readonly CostPoint[], inputPixels: number): number | undefined {
  const last = curve[curve.length - 1];
  if (!last || inputPixels > last.inputPixels) return undefined;
  let below = curve[0]!;
  if (inputPixels <= below.inputPixels) return below.usPerInputPixel;
  for (const above of curve) {
    if (above.inputPixels >= inputPixels) {
      const t = (inputPixels - below.inputPixels) / (above.inputPixels - below.inputPixels || 1);
      return below.usPerInputPixel + t * (above.usPerInputPixel - below.usPerInputPixel);
    }
    below = above;
  }
  return last.usPerInputPixel;
}

/** Predicted milliseconds of a plan's runs, or undefined when a tile is larger than any measured. */
export function predictPlanMs(plan: TilePlan, curve: readonly CostPoint[]): number | undefined {
  let us = 0;
  for (const tile of plan.tiles) {
    const pixels = tile.input.width * tile.input.height;
    const cost = costAt(curve, pixels);
    if (cost === undefined) return undefined;
    us += cost * pixels;
  }
  return us / 1000;
}

export interface PhotoTileChoice {
  tileSize: number;
  plan: TilePlan;
  predictedMs: number;
  /** Computed pixels over photo pixels (context and edges included). */
  computedRatio: number;
}

/**
 * The tile size for one photo with the least predicted time: each tiled size measured, and
 * the whole photo as one tile when a shape that large was measured and it fits memory.
 * Tiles larger than the tuned ones are only taken whole, so a large scan keeps the tuned
 * tile's memory.
 */
export function choosePhotoTile(request: {
  width: number;
  height: number;
  pad: number;
  /** Tiled sizes to consider (the tuner's tile candidates). */
  tileSizes: readonly number[];
  curve: readonly CostPoint[];
  /** Whether one run of this many input pixels fits the device's memory budget. */
  fits: (inputPixels: number) => boolean;
  /** Used when nothing was measured. */
  fallback: number;
}): PhotoTileChoice {
  const { width, height, pad, curve } = request;
  let best: PhotoTileChoice | undefined;
  const consider = (tileSize: number) => {
    const plan = planPhotoTiles(width, height, tileSize, pad);
    const largest = Math.max(...plan.tiles.map((t) => t.input.width * t.input.height));
    if (!request.fits(largest)) return;
    const predictedMs = predictPlanMs(plan, curve);
    if (predictedMs === undefined) return;
    if (!best || predictedMs < best.predictedMs) best = { tileSize, plan, predictedMs, computedRatio: computedPixels(plan) / (width * height) };
  };
  consider(0);
  for (const size of request.tileSizes) if (size < Math.max(width, height)) consider(size);
  if (best) return best;
  const plan = planPhotoTiles(width, height, request.fallback, pad);
  return { tileSize: request.fallback, plan, predictedMs: Number.NaN, computedRatio: computedPixels(plan) / (width * height) };
}
