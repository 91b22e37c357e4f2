/**
 * Migration 006 (issue #18: huge folders and the farm).
 *
 * jobs.listed: 0 while a job's inputs are still being listed and hashed (its photos are
 * recorded as they are reached, so a job over 100,000 photos starts at once); 1 once the
 * listing reached its end. A job interrupted at 0 is listed again by `resume`. Older jobs
 * were recorded whole before they started: 1.
 * job_files.ran_on: where a photo ran (the farm worker's name), for the history.
 */
export const STREAMING_MIGRATION = `
  ALTER TABLE jobs ADD COLUMN listed INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE job_files ADD COLUMN ran_on TEXT;
  `;
