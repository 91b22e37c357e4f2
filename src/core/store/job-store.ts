import type { Db } from './database.js';

export type JobStatus = 'running' | 'finished' | 'cancelled' | 'interrupted';
export type FileStatus = 'queued' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';

export interface JobFileRecord {
  position: number;
  inputPath: string;
  outputPath: string | null;
  status: FileStatus;
  attempts: number;
  errorCode: string | null;
  errorMessage: string | null;
  width: number | null;
  height: number | null;
  ms: number | null;
}

export interface JobRecord {
  id: string;
  kind: string;
  status: JobStatus;
  settings: Record<string, unknown>;
  modelId: string;
  deviceId: string;
  createdAt: number;
  finishedAt: number | null;
  succeeded: number;
  failed: number;
  skipped: number;
  ms: number | null;
  files: JobFileRecord[];
}

interface JobRow {
  id: string;
  kind: string;
  status: JobStatus;
  settings: string;
  model_id: string;
  device_id: string;
  created_at: number;
  finished_at: number | null;
  succeeded: number;
  failed: number;
  skipped: number;
  ms: number | null;
}

interface FileRow {
  position: number;
  input_path: string;
  output_path: string | null;
  status: FileStatus;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  width: number | null;
  height: number | null;
  ms: number | null;
}

/** Jobs and their files. Every state change is written before the work it describes goes on. */
export class JobStore {
  constructor(private readonly db: Db) {}

  createJob(job: { id: string; kind?: string; settings: Record<string, unknown>; modelId: string; deviceId: string; inputs: string[] }): void {
    const insertJob = this.db.prepare(
      `INSERT INTO jobs (id, kind, status, settings, model_id, device_id, created_at) VALUES (?, ?, 'running', ?, ?, ?, ?)`,
    );
    const insertFile = this.db.prepare(`INSERT INTO job_files (job_id, position, input_path, status) VALUES (?, ?, ?, 'queued')`);
    this.db.transaction(() => {
      insertJob.run(job.id, job.kind ?? 'restore', JSON.stringify(job.settings), job.modelId, job.deviceId, Date.now());
      job.inputs.forEach((input, position) => insertFile.run(job.id, position, input));
    })();
  }

  markFileRunning(jobId: string, position: number): void {
    this.db
      .prepare(`UPDATE job_files SET status = 'running', attempts = attempts + 1, started_at = ? WHERE job_id = ? AND position = ?`)
      .run(Date.now(), jobId, position);
  }

  markFileDone(jobId: string, position: number, result: { outputPath: string; width: number; height: number; ms: number }): void {
    this.db
      .prepare(
        `UPDATE job_files SET status = 'done', output_path = ?, width = ?, height = ?, ms = ?, finished_at = ?, error_code = NULL, error_message = NULL WHERE job_id = ? AND position = ?`,
      )
      .run(result.outputPath, result.width, result.height, result.ms, Date.now(), jobId, position);
  }

  markFileFailed(jobId: string, position: number, error: { code: string; message: string; ms?: number }): void {
    this.db
      .prepare(`UPDATE job_files SET status = 'failed', error_code = ?, error_message = ?, ms = ?, finished_at = ? WHERE job_id = ? AND position = ?`)
      .run(error.code, error.message, error.ms ?? null, Date.now(), jobId, position);
  }

  markFileSkipped(jobId: string, position: number, outputPath: string | null, reason: string): void {
    this.db
      .prepare(`UPDATE job_files SET status = 'skipped', output_path = ?, error_message = ?, finished_at = ? WHERE job_id = ? AND position = ?`)
      .run(outputPath, reason, Date.now(), jobId, position);
  }

  markFileCancelled(jobId: string, position: number): void {
    this.db.prepare(`UPDATE job_files SET status = 'cancelled', finished_at = ? WHERE job_id = ? AND position = ? AND status IN ('queued', 'running')`).run(Date.now(), jobId, position);
  }

  finishJob(jobId: string, outcome: { status: JobStatus; ms: number }): void {
    this.db
      .prepare(
        `UPDATE jobs SET status = ?, finished_at = ?, ms = ?,
           succeeded = (SELECT COUNT(*) FROM job_files WHERE job_id = jobs.id AND status = 'done'),
           failed    = (SELECT COUNT(*) FROM job_files WHERE job_id = jobs.id AND status = 'failed'),
           skipped   = (SELECT COUNT(*) FROM job_files WHERE job_id = jobs.id AND status = 'skipped')
         WHERE id = ?`,
      )
      .run(outcome.status, Date.now(), outcome.ms, jobId);
  }

  getJob(jobId: string): JobRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM jobs WHERE id = ?`).get(jobId) as JobRow | undefined;
    return row ? this.toRecord(row) : undefined;
  }

  /** Newest first. */
  listJobs(options: { limit?: number; status?: JobStatus } = {}): JobRecord[] {
    const limit = options.limit ?? 50;
    const rows = options.status
      ? (this.db.prepare(`SELECT * FROM jobs WHERE status = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(options.status, limit) as JobRow[])
      : (this.db.prepare(`SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(limit) as JobRow[]);
    return rows.map((row) => this.toRecord(row));
  }

  private toRecord(row: JobRow): JobRecord {
    const files = (this.db.prepare(`SELECT * FROM job_files WHERE job_id = ? ORDER BY position`).all(row.id) as FileRow[]).map((f) => ({
      position: f.position,
      inputPath: f.input_path,
      outputPath: f.output_path,
      status: f.status,
      attempts: f.attempts,
      errorCode: f.error_code,
      errorMessage: f.error_message,
      width: f.width,
      height: f.height,
      ms: f.ms,
    }));
    return {
      id: row.id,
      kind: row.kind,
      status: row.status,
      settings: JSON.parse(row.settings) as Record<string, unknown>,
      modelId: row.model_id,
      deviceId: row.device_id,
      createdAt: row.created_at,
      finishedAt: row.finished_at,
      succeeded: row.succeeded,
      failed: row.failed,
      skipped: row.skipped,
      ms: row.ms,
      files,
    };
  }
}
