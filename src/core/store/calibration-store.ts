import type { Db } from './database.js';

export interface TuningPoint {
  tile: number;
  batch: number;
  /** Milliseconds per owned (output-contributing) input pixel, padding overhead included. */
  usPerPixel: number;
}

export interface Calibration {
  memoryRatio?: number;
  learnedLimitPixels?: number;
  tunedTile?: number;
  tunedBatch?: number;
  tuning?: TuningPoint[];
}

interface Row {
  memory_ratio: number | null;
  learned_limit_pixels: number | null;
  tuned_tile: number | null;
  tuned_batch: number | null;
  tuning: string | null;
}

/** What the scheduler learned, per (device, model, precision). */
export class CalibrationStore {
  constructor(private readonly db: Db) {}

  get(deviceId: string, modelId: string, precision: string): Calibration {
    const row = this.db
      .prepare(`SELECT memory_ratio, learned_limit_pixels, tuned_tile, tuned_batch, tuning FROM scheduler_calibration WHERE device_id = ? AND model_id = ? AND precision = ?`)
      .get(deviceId, modelId, precision) as Row | undefined;
    if (!row) return {};
    const result: Calibration = {};
    if (row.memory_ratio !== null) result.memoryRatio = row.memory_ratio;
    if (row.learned_limit_pixels !== null) result.learnedLimitPixels = row.learned_limit_pixels;
    if (row.tuned_tile !== null) result.tunedTile = row.tuned_tile;
    if (row.tuned_batch !== null) result.tunedBatch = row.tuned_batch;
    if (row.tuning !== null) result.tuning = JSON.parse(row.tuning) as TuningPoint[];
    return result;
  }

  /** Merges the given fields into the stored calibration. */
  update(deviceId: string, modelId: string, precision: string, patch: Calibration): void {
    const merged = { ...this.get(deviceId, modelId, precision), ...patch };
    this.db
      .prepare(
        `INSERT INTO scheduler_calibration (device_id, model_id, precision, memory_ratio, learned_limit_pixels, tuned_tile, tuned_batch, tuning, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (device_id, model_id, precision) DO UPDATE SET
           memory_ratio = excluded.memory_ratio, learned_limit_pixels = excluded.learned_limit_pixels,
           tuned_tile = excluded.tuned_tile, tuned_batch = excluded.tuned_batch, tuning = excluded.tuning, updated_at = excluded.updated_at`,
      )
      .run(
        deviceId,
        modelId,
        precision,
        merged.memoryRatio ?? null,
        merged.learnedLimitPixels ?? null,
        merged.tunedTile ?? null,
        merged.tunedBatch ?? null,
        merged.tuning ? JSON.stringify(merged.tuning) : null,
        Date.now(),
      );
  }

  /** Forgets what was learned (e.g. after a driver or hardware change). */
  reset(deviceId: string, modelId?: string): void {
    if (modelId) this.db.prepare(`DELETE FROM scheduler_calibration WHERE device_id = ? AND model_id = ?`).run(deviceId, modelId);
    else this.db.prepare(`DELETE FROM scheduler_calibration WHERE device_id = ?`).run(deviceId);
  }
}
