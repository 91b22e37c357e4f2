/** Migration 1: jobs and the files in them. */
export const JOBS_MIGRATION = `
  CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL DEFAULT 'restore',
    status       TEXT NOT NULL,
    settings     TEXT NOT NULL,
    model_id     TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    succeeded    INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    ms           INTEGER
  );
  CREATE INDEX jobs_created ON jobs (created_at DESC);
  CREATE TABLE job_files (
    id            INTEGER PRIMARY KEY,
    job_id        TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    input_path    TEXT NOT NULL,
    output_path   TEXT,
    status        TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    error_code    TEXT,
    error_message TEXT,
    width         INTEGER,
    height        INTEGER,
    started_at    INTEGER,
    finished_at   INTEGER,
    ms            INTEGER,
    UNIQUE (job_id, position)
  );
  CREATE INDEX job_files_job ON job_files (job_id);
  `;
