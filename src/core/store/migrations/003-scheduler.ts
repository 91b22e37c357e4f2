/** Migration 003: memory-model calibration and tuned tile sizes per device and model (issue: scheduler). Reserved; filled by that issue. */
export const SCHEDULER_MIGRATION = `
  SELECT 1;
`;
