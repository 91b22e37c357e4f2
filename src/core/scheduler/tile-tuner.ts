import type { TuningPoint } from '../store/calibration-store.js';
import type { BatchRunner } from '../inference/tiler.js';
import { throwIfCancelled } from '../fs/with-deadline.js';

export const TILE_CANDIDATES = [64, 128, 192, 256] as const;
export const BATCH_CANDIDATES = [1, 2, 4] as const;
/** Larger shapes measured only so a whole photo of that size can be run as one tile. */
export const WHOLE_PHOTO_CANDIDATES = [384, 512, 640, 768, 1024] as const;
/**
 * A shape predicted to take longer than this per run is not measured (one-time cost; x4plus
 * stops at 256; x4v3 reaches 640 even on a loaded 2-core machine, 1024 on a quiet one, so a
 * 1000x872 scan runs whole instead of as 16 tiles with 16 % more pixels).
 */
export const MAX_MEASURE_MS = 10_000;

export interface TuneRequest {
  run: BatchRunner;
  /** Context pixels on each side of a tile (the model's overlap). */
  pad: number;
  tiles?: readonly number[];
  batches?: readonly number[];
  /** Whether a (tile, batch) fits the device's memory budget; untried when not. */
  fits: (tile: number, batch: number) => boolean;
  /** A batch must be at least this much faster per pixel to be worth its memory. */
  minBatchGain?: number;
  /** Milliseconds clock (tests drive a simulated device with their own). */
  now?: () => number;
  /** A stop ends tuning before its next measurement (CANCELLED). */
  signal?: AbortSignal | undefined;
}

export interface TuneResult {
  tile: number;
  batch: number;
  points: TuningPoint[];
}

/**
 * Measures, on this device and model, microseconds per owned input pixel for each tile
 * size (padding overhead included: a small tile spends more of its work on context) and
 * then whether batching pays at the best tile. Nothing is assumed: on a 2-core CPU larger
 * tiles win for the compact model while batching gains nothing; a GPU usually differs.
 */
export async function tuneTileAndBatch(request: TuneRequest): Promise<TuneResult> {
  const points: TuningPoint[] = [];
  let best: TuningPoint | undefined;
  for (const tile of request.tiles ?? TILE_CANDIDATES) {
    if (!request.fits(tile, 1)) continue;
    const point = await measure(request, tile, 1);
    points.push(point);
    if (!best || point.usPerPixel < best.usPerPixel) best = point;
  }
  if (!best) {
    const smallest = Math.min(...(request.tiles ?? TILE_CANDIDATES));
    return { tile: smallest, batch: 1, points };
  }
  let chosen = best;
  const gain = request.minBatchGain ?? 0.05;
  for (const batch of request.batches ?? BATCH_CANDIDATES) {
    if (batch === 1 || !request.fits(best.tile, batch)) continue;
    const point = await measure(request, best.tile, batch);
    points.push(point);
    // A larger batch that does not pay here will not pay at twice the size either: stop measuring.
    if (point.usPerPixel >= chosen.usPerPixel * (1 - gain)) break;
    chosen = point;
  }
  return { tile: chosen.tile, batch: chosen.batch, points };
}

/**
 * Measures the larger shapes a whole photo may run at (batch 1), skipping those already
 * measured, those that do not fit, and those predicted to take over `maxMs` per run.
 */
export async function measureWholePhotoShapes(request: Pick<TuneRequest, 'run' | 'pad' | 'fits' | 'now'> & { known: readonly TuningPoint[]; maxMs?: number }): Promise<TuningPoint[]> {
  const points: TuningPoint[] = [];
  const single = () => [...request.known, ...points].filter((p) => p.batch === 1).sort((a, b) => b.tile - a.tile);
  for (const tile of WHOLE_PHOTO_CANDIDATES) {
    if (single().some((p) => p.tile === tile) || !request.fits(tile, 1)) continue;
    const largest = single()[0];
    if (!largest) break;
    const predictedMs = (largest.usPerPixel * largest.tile ** 2 * (tile + 2 * request.pad) ** 2) / (largest.tile + 2 * request.pad) ** 2 / 1000;
    if (predictedMs > (request.maxMs ?? MAX_MEASURE_MS)) break;
    points.push(await measure(request, tile, 1));
  }
  return points;
}

async function measure(request: Pick<TuneRequest, 'run' | 'pad' | 'now' | 'signal'>, tile: number, batch: number): Promise<TuningPoint> {
  throwIfCancelled(request.signal);
  const side = tile + 2 * request.pad;
  const input = syntheticTiles(batch, side);
  const dims: [number, number, number, number] = [batch, 3, side, side];
  const now = request.now ?? (() => performance.now());
  await request.run(input.slice(), dims); // warm-up: first run of a shape allocates (a runner takes its input: a copy)
  throwIfCancelled(request.signal);
  const started = now();
  await request.run(input, dims);
  const ms = now() - started;
  return { tile, batch, usPerPixel: (ms * 1000) / (batch * tile * tile) };
}

/** A deterministic photo-like texture (smooth gradients plus fine detail) in 0..1. */
function syntheticTiles(batch: number, side: number): Float32Array {
  const plane = side * side;
  const data = new Float32Array(batch * 3 * plane);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < 3; c++) {
      const base = (b * 3 + c) * plane;
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          data[base + y * side + x] = 0.5 + 0.3 * Math.sin((x + c * 7) / 9) * Math.cos((y + b * 5) / 13) + 0.1 * Math.sin(x * y * 0.37);
        }
      }
    }
  }
  return data;
}

/**
 * The batch that pays at `tile`, from measured points: the fastest per pixel, but a larger
 * batch only when it beats batch 1 by `minGain`. Undefined when batch 1 was not measured.
 */
export function bestBatchFrom(points: readonly TuningPoint[], tile: number, minGain = 0.05): number | undefined {
  const atTile = points.filter((p) => p.tile === tile);
  const single = atTile.find((p) => p.batch === 1);
  if (!single) return undefined;
  let chosen = single;
  for (const p of atTile) if (p.batch > 1 && p.usPerPixel < single.usPerPixel * (1 - minGain) && p.usPerPixel < chosen.usPerPixel) chosen = p;
  return chosen.batch;
}

