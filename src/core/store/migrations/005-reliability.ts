/**
 * Migration 005 (issue #15: reliability).
 *
 * heirloom_meta: which Heirloom last wrote the database (`app_version`), so an older
 * Heirloom that finds a newer schema can say which version it needs.
 * work_leases: work only one process should do at a time (tuning a device, calibrating
 * memory): the holder's process id, and when its claim runs out if it dies.
 */
export const RELIABILITY_MIGRATION = `
  CREATE TABLE heirloom_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE work_leases (
    name       TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  `;
