/**
 * Migration 004 (issue: watch mode + durable jobs).
 *
 * Durable jobs: every file records the sha256 of its bytes (with size and mtime, so an
 * unchanged file is not read again to be recognised), and, before its output is moved into
 * place, the output's path, sha256 and size, so a run killed between the rename and the
 * "done" update adopts its own output instead of writing a second one. A job records the
 * fingerprint of the settings that decide its outputs (a photo is "the same work" when its
 * content hash and that fingerprint match) and the process that owns it (to tell a live
 * job from one whose process died).
 *
 * Watch folders: each with its output folder and preset; the process watching it holds it.
 */
export const WATCH_MIGRATION = `
  ALTER TABLE jobs ADD COLUMN fingerprint TEXT;
  ALTER TABLE jobs ADD COLUMN owner TEXT;
  ALTER TABLE jobs ADD COLUMN watch_folder_id TEXT;
  CREATE INDEX jobs_status ON jobs (status);

  ALTER TABLE job_files ADD COLUMN content_hash TEXT;
  ALTER TABLE job_files ADD COLUMN input_size INTEGER;
  ALTER TABLE job_files ADD COLUMN input_mtime_ms INTEGER;
  ALTER TABLE job_files ADD COLUMN output_sha256 TEXT;
  ALTER TABLE job_files ADD COLUMN output_bytes INTEGER;
  CREATE INDEX job_files_content ON job_files (content_hash);
  CREATE INDEX job_files_input ON job_files (input_path);
  CREATE INDEX job_files_output ON job_files (output_path);
  CREATE INDEX job_files_output_sha ON job_files (output_sha256);

  CREATE TABLE watch_folders (
    id          TEXT PRIMARY KEY,
    path        TEXT NOT NULL,
    out_dir     TEXT NOT NULL,
    preset      TEXT NOT NULL,
    paused      INTEGER NOT NULL DEFAULT 0,
    owner       TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (path, out_dir)
  );
`;
