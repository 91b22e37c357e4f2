/**
 * Migration 3: what the scheduler learned per device and model, so the next run starts
 * calibrated: the memory model's measured/estimated ratio, the limit learned from an
 * out-of-memory error, and the tuned tile and batch sizes with the timings behind them.
 */
export const SCHEDULER_MIGRATION = `
  CREATE TABLE scheduler_calibration (
    device_id       TEXT NOT NULL,
    model_id        TEXT NOT NULL,
    precision       TEXT NOT NULL,
    memory_ratio    REAL,
    learned_limit_pixels INTEGER,
    tuned_tile      INTEGER,
    tuned_batch     INTEGER,
    tuning          TEXT,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (device_id, model_id, precision)
  );
`;
