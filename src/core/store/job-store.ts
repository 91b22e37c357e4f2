import { parseStoredSettings } from '../../shared/job-settings.js';
import type { HistoryJob, HistoryJobStatus, QueueFileStatus } from '../../shared/contract-views.js';
import type { Db } from './database.js';

export type JobStatus = HistoryJobStatus;
export type FileStatus = QueueFileStatus;

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
  /** sha256 of the input's bytes, taken before work started. */
  contentHash?: string | null;
  /** sha256 and size of the output, recorded before it was moved into place. */
  outputSha256?: string | null;
  outputBytes?: number | null;
  /** Where it ran: the farm worker that restored it (absent for a local run). */
  ranOn?: string | null;
}

/** A job as stored: what the history page shows (HistoryJob), with the store's own file rows and bookkeeping. */
export interface JobRecord extends Omit<HistoryJob, 'files' | 'fileCount'> {
  /** Its files in order: all of them, or the first ones when listed with `filesPerJob` (fileCount says how many there are). */
  files: JobFileRecord[];
  fileCount: number;
  /** The settings that decide the outputs (see restore-fingerprint.ts). */
  fingerprint?: string | null;
  /** The process running the job (see process-owner.ts); meaningful while status is 'running'. */
  owner?: string | null;
  watchFolderId?: string | null;
  /** False while its inputs are still being listed (a job interrupted then is listed again on resume). */
  listed?: boolean;
}

/** What is known about one input when its job is created. */
export interface NewJobFile {
  contentHash?: string;
  size?: number;
  mtimeMs?: number;
  /** Already restored (or a duplicate within the job): recorded as skipped, never queued. */
  skipped?: { outputPath: string | null; reason: string };
  /** Failed before work (could not be read): recorded as failed. */
  failed?: { code: string; message: string };
}

/** A finished output of a photo, found by content hash and fingerprint. */
export interface RestoredOutput {
  jobId: string;
  position: number;
  inputPath: string;
  outputPath: string;
  outputSha256: string | null;
  outputBytes: number | null;
  width: number | null;
  height: number | null;
}

/** A row that names `outputPath` as its output (done, or reserved by a commit in progress). */
export interface OutputClaim {
  jobId: string;
  position: number;
  status: FileStatus;
  contentHash: string | null;
  fingerprint: string | null;
  outputSha256: string | null;
}

/** A job left with status 'running': live elsewhere, or its process died. */
export interface UnfinishedJob {
  id: string;
  kind: string;
  owner: string | null;
  settings: Record<string, unknown>;
  watchFolderId: string | null;
}

interface JobRow {
  id: string;
  kind: string;
  status: JobStatus;
  settings: string;
  fingerprint: string | null;
  owner: string | null;
  watch_folder_id: string | null;
  model_id: string;
  device_id: string;
  created_at: number;
  finished_at: number | null;
  listed: number;
  succeeded: number;
  failed: number;
  skipped: number;
  ms: number | null;
}

interface FileRow {
  job_id: string;
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
  content_hash: string | null;
  output_sha256: string | null;
  output_bytes: number | null;
  ran_on: string | null;
}

export interface JobStoreHooks {
  /** A job reached its end (finished, failed, cancelled): e.g. time for a backup. */
  jobFinished?(jobId: string): void;
}

/** Jobs and their files. Every state change is written before the work it describes goes on. */
export class JobStore {
  constructor(
    private readonly db: Db,
    private readonly hooks: JobStoreHooks = {},
  ) {}

  /** Runs `work` as one transaction: a huge job's rows are written thousands at a time, not one commit each. */
  batch(work: () => void): void {
    this.db.transaction(work)();
  }

  /**
   * Creates a job with every file recorded before any work starts: queued, or already
   * skipped / failed when `files` says so (same position as `inputs`).
   */
  createJob(job: {
    id: string;
    kind?: string;
    settings: Record<string, unknown>;
    modelId: string;
    deviceId: string;
    inputs: string[];
    files?: NewJobFile[];
    fingerprint?: string;
    owner?: string;
    watchFolderId?: string;
    /** Its inputs are still being listed: photos are added as they are reached (addFile), then markListed. */
    listing?: boolean;
  }): void {
    const insertJob = this.db.prepare(
      `INSERT INTO jobs (id, kind, status, settings, model_id, device_id, created_at, fingerprint, owner, watch_folder_id, listed) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      insertJob.run(job.id, job.kind ?? 'restore', JSON.stringify(job.settings), job.modelId, job.deviceId, Date.now(), job.fingerprint ?? null, job.owner ?? null, job.watchFolderId ?? null, job.listing ? 0 : 1);
      job.inputs.forEach((input, position) => this.addFile(job.id, position, input, job.files?.[position] ?? {}));
    })();
  }

  /** One photo of a job, as it is reached: queued, or already skipped / failed when `file` says so. */
  addFile(jobId: string, position: number, input: string, file: NewJobFile): void {
    this.insertFile ??= this.db.prepare(
      `INSERT INTO job_files (job_id, position, input_path, status, content_hash, input_size, input_mtime_ms, output_path, error_code, error_message, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const status: FileStatus = file.skipped ? 'skipped' : file.failed ? 'failed' : 'queued';
    this.insertFile.run(
      jobId,
      position,
      input,
      status,
      file.contentHash ?? null,
      file.size ?? null,
      file.mtimeMs === undefined ? null : Math.round(file.mtimeMs),
      file.skipped?.outputPath ?? null,
      file.failed?.code ?? null,
      file.skipped?.reason ?? file.failed?.message ?? null,
      status === 'queued' ? null : Date.now(),
    );
  }

  /** The listing of a job's inputs reached its end: every photo is recorded. */
  markListed(jobId: string): void {
    this.db.prepare(`UPDATE jobs SET listed = 1 WHERE id = ?`).run(jobId);
  }

  private insertFile: { run(...params: unknown[]): unknown } | undefined;

  /**
   * A job waiting in the studio's queue, recorded before the queue shows it: status
   * 'queued', its request in `settings`, every photo queued. The history lists it; a
   * restart finds it again (queuedJobs) instead of silently dropping it.
   */
  createQueuedJob(job: { id: string; settings: Record<string, unknown>; modelId: string; deviceId: string; inputs: string[] }): void {
    const insertJob = this.db.prepare(`INSERT INTO jobs (id, kind, status, settings, model_id, device_id, created_at) VALUES (?, 'restore', 'queued', ?, ?, ?, ?)`);
    const insertFile = this.db.prepare(`INSERT INTO job_files (job_id, position, input_path, status) VALUES (?, ?, ?, 'queued')`);
    this.db.transaction(() => {
      insertJob.run(job.id, JSON.stringify(job.settings), job.modelId, job.deviceId, Date.now());
      job.inputs.forEach((input, position) => insertFile.run(job.id, position, input));
    })();
  }

  /** Jobs waiting in the studio's queue, oldest first. */
  queuedJobs(): JobRecord[] {
    const rows = this.db.prepare(`SELECT * FROM jobs WHERE status = 'queued' ORDER BY created_at, rowid`).all() as JobRow[];
    return this.toRecords(rows);
  }

  /** A queued job whose run has started: the engine's own job record takes its place. */
  removeQueuedJob(jobId: string): void {
    this.db.prepare(`DELETE FROM jobs WHERE id = ? AND status = 'queued'`).run(jobId);
  }

  /** A queued job that ended without running: cancelled by the user, or failed before its first photo (with why). */
  endQueuedJob(jobId: string, outcome: { status: 'cancelled' } | { status: 'failed'; code: string; message: string }): void {
    const now = Date.now();
    this.db.transaction(() => {
      if (this.db.prepare(`UPDATE jobs SET status = ?, finished_at = ?, ms = 0 WHERE id = ? AND status = 'queued'`).run(outcome.status, now, jobId).changes === 0) return;
      if (outcome.status === 'failed') {
        this.db.prepare(`UPDATE job_files SET status = 'failed', error_code = ?, error_message = ?, finished_at = ? WHERE job_id = ?`).run(outcome.code, outcome.message, now, jobId);
        this.db.prepare(`UPDATE jobs SET failed = (SELECT COUNT(*) FROM job_files WHERE job_id = jobs.id) WHERE id = ?`).run(jobId);
      } else {
        this.db.prepare(`UPDATE job_files SET status = 'cancelled', finished_at = ? WHERE job_id = ?`).run(now, jobId);
      }
    })();
  }

  markFileRunning(jobId: string, position: number): void {
    this.db
      .prepare(`UPDATE job_files SET status = 'running', attempts = attempts + 1, started_at = ? WHERE job_id = ? AND position = ?`)
      .run(Date.now(), jobId, position);
  }

  markFileDone(jobId: string, position: number, result: { outputPath: string; width: number; height: number; ms: number; ranOn?: string }): void {
    this.db
      .prepare(
        `UPDATE job_files SET status = 'done', output_path = ?, width = ?, height = ?, ms = ?, finished_at = ?, error_code = NULL, error_message = NULL, ran_on = COALESCE(?, ran_on) WHERE job_id = ? AND position = ?`,
      )
      .run(result.outputPath, result.width, result.height, result.ms, Date.now(), result.ranOn ?? null, jobId, position);
  }

  markFileFailed(jobId: string, position: number, error: { code: string; message: string; ms?: number; ranOn?: string }): void {
    this.db
      .prepare(`UPDATE job_files SET status = 'failed', error_code = ?, error_message = ?, ms = ?, finished_at = ?, ran_on = COALESCE(?, ran_on) WHERE job_id = ? AND position = ?`)
      .run(error.code, error.message, error.ms ?? null, Date.now(), error.ranOn ?? null, jobId, position);
  }

  markFileSkipped(jobId: string, position: number, outputPath: string | null, reason: string, ranOn?: string): void {
    this.db
      .prepare(`UPDATE job_files SET status = 'skipped', output_path = ?, error_message = ?, finished_at = ?, ran_on = COALESCE(?, ran_on) WHERE job_id = ? AND position = ?`)
      .run(outputPath, reason, Date.now(), ranOn ?? null, jobId, position);
  }

  markFileCancelled(jobId: string, position: number): void {
    this.db.prepare(`UPDATE job_files SET status = 'cancelled', finished_at = ? WHERE job_id = ? AND position = ? AND status IN ('queued', 'running')`).run(Date.now(), jobId, position);
  }

  /**
   * Records the end of a job with its counts. 'finished' is made honest from the counts:
   * 'finished-with-errors' when a photo failed, 'failed' when none was restored or skipped.
   */
  finishJob(jobId: string, outcome: { status: JobStatus; ms: number }): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE jobs SET status = ?, finished_at = ?, ms = ?,
             succeeded = (SELECT COUNT(*) FROM job_files WHERE job_id = jobs.id AND status = 'done'),
             failed    = (SELECT COUNT(*) FROM job_files WHERE job_id = jobs.id AND status = 'failed'),
             skipped   = (SELECT COUNT(*) FROM job_files WHERE job_id = jobs.id AND status = 'skipped')
           WHERE id = ?`,
        )
        .run(outcome.status, Date.now(), outcome.ms, jobId);
      if (outcome.status === 'finished') {
        this.db
          .prepare(`UPDATE jobs SET status = CASE WHEN failed = 0 THEN 'finished' WHEN succeeded = 0 AND skipped = 0 THEN 'failed' ELSE 'finished-with-errors' END WHERE id = ?`)
          .run(jobId);
      }
    })();
    this.hooks.jobFinished?.(jobId);
  }

  /**
   * Records where a file's output is about to be moved, with the output's hash and size,
   * before the move: a run killed right after the move finds its output here and adopts it.
   * Written with a full sync (the rest of the store syncs lazily): after a power cut this
   * row must not be older than the file it describes.
   */
  markFileCommitting(jobId: string, position: number, output: { outputPath: string; outputSha256: string; outputBytes: number }): void {
    const update = this.db.prepare(`UPDATE job_files SET output_path = ?, output_sha256 = ?, output_bytes = ? WHERE job_id = ? AND position = ?`);
    const previous = this.db.pragma('synchronous', { simple: true }) as number;
    this.db.pragma('synchronous = FULL');
    try {
      update.run(output.outputPath, output.outputSha256, output.outputBytes, jobId, position);
    } finally {
      this.db.pragma(`synchronous = ${previous}`);
    }
  }

  /** Back to the queue (resume, recovery); the attempts so far and a reserved output name stay. */
  requeueFile(jobId: string, position: number, identity?: { contentHash: string; size: number; mtimeMs: number }): void {
    if (identity) {
      this.db
        .prepare(`UPDATE job_files SET status = 'queued', error_code = NULL, error_message = NULL, finished_at = NULL, content_hash = ?, input_size = ?, input_mtime_ms = ? WHERE job_id = ? AND position = ?`)
        .run(identity.contentHash, identity.size, Math.round(identity.mtimeMs), jobId, position);
    } else {
      this.db.prepare(`UPDATE job_files SET status = 'queued', error_code = NULL, error_message = NULL, finished_at = NULL WHERE job_id = ? AND position = ?`).run(jobId, position);
    }
  }

  /** The job is taken by `owner` (a resume): running again, not finished. False when another process took it first. */
  takeOverJob(jobId: string, owner: string): boolean {
    return this.db.prepare(`UPDATE jobs SET status = 'running', owner = ?, finished_at = NULL WHERE id = ? AND status != 'running'`).run(owner, jobId).changes === 1;
  }

  /**
   * Claims the recovery of a job whose process died: it becomes ours (a live owner), so a
   * second process starting at the same moment leaves it alone. False when another took it.
   */
  claimForRecovery(jobId: string, deadOwner: string | null, newOwner: string): boolean {
    return this.db.prepare(`UPDATE jobs SET owner = ? WHERE id = ? AND status = 'running' AND owner IS ?`).run(newOwner, jobId, deadOwner).changes === 1;
  }

  /** Its process died: the counts are brought up to date, the files keep their states. */
  markJobInterrupted(jobId: string): void {
    this.db
      .prepare(
        `UPDATE jobs SET status = 'interrupted', finished_at = ?,
           succeeded = (SELECT COUNT(*) FROM job_files WHERE job_id = jobs.id AND status = 'done'),
           failed    = (SELECT COUNT(*) FROM job_files WHERE job_id = jobs.id AND status = 'failed'),
           skipped   = (SELECT COUNT(*) FROM job_files WHERE job_id = jobs.id AND status = 'skipped')
         WHERE id = ?`,
      )
      .run(Date.now(), jobId);
  }

  /** Jobs whose status is still 'running' (their owner decides whether they are live). */
  unfinishedJobs(): UnfinishedJob[] {
    const rows = this.db.prepare(`SELECT id, kind, owner, settings, watch_folder_id FROM jobs WHERE status = 'running' ORDER BY created_at, rowid`).all() as Array<{
      id: string;
      kind: string;
      owner: string | null;
      settings: string;
      watch_folder_id: string | null;
    }>;
    return rows.map((r) => ({ id: r.id, kind: r.kind, owner: r.owner, settings: readSettings(r.settings), watchFolderId: r.watch_folder_id }));
  }

  /** Interrupted jobs, oldest first (optionally those of one watch folder): what a start-up resumes. */
  interruptedJobs(options: { watchFolderId?: string; kind?: string } = {}): JobRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM jobs WHERE status = 'interrupted' AND (? IS NULL OR watch_folder_id = ?) AND (? IS NULL OR kind = ?) ORDER BY created_at, rowid`,
      )
      .all(options.watchFolderId ?? null, options.watchFolderId ?? null, options.kind ?? null, options.kind ?? null) as JobRow[];
    return this.toRecords(rows);
  }

  /** The newest interrupted job of this kind made with these settings (a re-run of the same command after a crash continues it). */
  latestInterrupted(fingerprint: string, kind: string): JobRecord | undefined {
    const row = this.db
      .prepare(`SELECT * FROM jobs WHERE fingerprint = ? AND kind = ? AND status = 'interrupted' ORDER BY created_at DESC, rowid DESC LIMIT 1`)
      .get(fingerprint, kind) as JobRow | undefined;
    return row ? this.toRecord(row) : undefined;
  }

  /** Outputs of this content restored with these settings, newest first. */
  findRestored(contentHash: string, fingerprint: string): RestoredOutput[] {
    const rows = this.db
      .prepare(
        `SELECT f.job_id, f.position, f.input_path, f.output_path, f.output_sha256, f.output_bytes, f.width, f.height
           FROM job_files f JOIN jobs j ON j.id = f.job_id
          WHERE f.content_hash = ? AND j.fingerprint = ? AND f.status = 'done' AND f.output_path IS NOT NULL
          ORDER BY f.finished_at DESC, f.id DESC`,
      )
      .all(contentHash, fingerprint) as Array<{ job_id: string; position: number; input_path: string; output_path: string; output_sha256: string | null; output_bytes: number | null; width: number | null; height: number | null }>;
    return rows.map((r) => ({ jobId: r.job_id, position: r.position, inputPath: r.input_path, outputPath: r.output_path, outputSha256: r.output_sha256, outputBytes: r.output_bytes, width: r.width, height: r.height }));
  }

  /** The last outcome of this content with these settings, when it was a failure. */
  lastFailure(contentHash: string, fingerprint: string): { code: string; message: string } | undefined {
    const row = this.db
      .prepare(
        `SELECT f.status, f.error_code, f.error_message FROM job_files f JOIN jobs j ON j.id = f.job_id
          WHERE f.content_hash = ? AND j.fingerprint = ? AND f.status IN ('done', 'failed')
          ORDER BY f.finished_at DESC, f.id DESC LIMIT 1`,
      )
      .get(contentHash, fingerprint) as { status: FileStatus; error_code: string | null; error_message: string | null } | undefined;
    return row?.status === 'failed' ? { code: row.error_code ?? 'INTERNAL', message: row.error_message ?? '' } : undefined;
  }

  /** The content hash recorded for this path at this size and modification time, if any (no need to read it again). */
  knownContentHash(inputPath: string, size: number, mtimeMs: number): string | undefined {
    const row = this.db
      .prepare(`SELECT content_hash FROM job_files WHERE input_path = ? AND input_size = ? AND input_mtime_ms = ? AND content_hash IS NOT NULL ORDER BY id DESC LIMIT 1`)
      .get(inputPath, size, Math.round(mtimeMs)) as { content_hash: string } | undefined;
    return row?.content_hash;
  }

  /** Rows naming `outputPath` as their output: the file that made it, and commits in progress. */
  outputClaims(outputPath: string): OutputClaim[] {
    const rows = this.db
      .prepare(
        `SELECT f.job_id, f.position, f.status, f.content_hash, j.fingerprint, f.output_sha256 FROM job_files f JOIN jobs j ON j.id = f.job_id
          WHERE f.output_path = ? AND f.status IN ('queued', 'running', 'done')`,
      )
      .all(outputPath) as Array<{ job_id: string; position: number; status: FileStatus; content_hash: string | null; fingerprint: string | null; output_sha256: string | null }>;
    return rows.map((r) => ({ jobId: r.job_id, position: r.position, status: r.status, contentHash: r.content_hash, fingerprint: r.fingerprint, outputSha256: r.output_sha256 }));
  }

  /** Whether a file is one of Heirloom's outputs: by its path, or by its bytes (an output copied elsewhere). */
  isKnownOutput(query: { path?: string; sha256?: string }): boolean {
    if (query.path !== undefined && this.db.prepare(`SELECT 1 FROM job_files WHERE output_path = ? LIMIT 1`).get(query.path)) return true;
    if (query.sha256 !== undefined && this.db.prepare(`SELECT 1 FROM job_files WHERE output_sha256 = ? LIMIT 1`).get(query.sha256)) return true;
    return false;
  }

  getFile(jobId: string, position: number): JobFileRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM job_files WHERE job_id = ? AND position = ?`).get(jobId, position) as FileRow | undefined;
    return row ? toFileRecord(row) : undefined;
  }

  /** A job's file by its input's path (the first, when a job lists a path twice); a lookup, not a read of every file. */
  findFile(jobId: string, inputPath: string): JobFileRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM job_files WHERE job_id = ? AND input_path = ? ORDER BY position LIMIT 1`).get(jobId, inputPath) as FileRow | undefined;
    return row ? toFileRecord(row) : undefined;
  }

  /** The job with all its files, or with only its first `filesPerJob` (fileCount says how many it has). */
  getJob(jobId: string, options: { filesPerJob?: number } = {}): JobRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM jobs WHERE id = ?`).get(jobId) as JobRow | undefined;
    if (!row) return undefined;
    return options.filesPerJob === undefined ? this.toRecord(row) : this.withFirstFiles(row, options.filesPerJob);
  }

  /**
   * Newest first. `filesPerJob`: each job with only its first files (the studio's History,
   * which pages through the rest with jobFiles), so a job of 100,000 photos is not read whole.
   */
  listJobs(options: { limit?: number; status?: JobStatus; filesPerJob?: number } = {}): JobRecord[] {
    const limit = options.limit ?? 50;
    const rows = options.status
      ? (this.db.prepare(`SELECT * FROM jobs WHERE status = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(options.status, limit) as JobRow[])
      : (this.db.prepare(`SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(limit) as JobRow[]);
    const { filesPerJob } = options;
    return filesPerJob === undefined ? this.toRecords(rows) : rows.map((row) => this.withFirstFiles(row, filesPerJob));
  }

  private withFirstFiles(row: JobRow, count: number): JobRecord {
    const { n } = this.db.prepare(`SELECT COUNT(*) AS n FROM job_files WHERE job_id = ?`).get(row.id) as { n: number };
    return { ...this.recordOf(row, this.jobFiles(row.id, 0, count)), fileCount: n };
  }

  /** Whether one of the newest `jobs` jobs wrote this output (by the output-path index, not by reading the jobs' files). */
  wroteRecently(outputPath: string, jobs: number): boolean {
    const row = this.db
      .prepare(`SELECT 1 FROM job_files WHERE output_path = ? AND job_id IN (SELECT id FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?) LIMIT 1`)
      .get(outputPath, jobs);
    return row !== undefined;
  }

  /** A page of a job's files in order: at most `limit` of those at position `from` or after. */
  jobFiles(jobId: string, from: number, limit: number): JobFileRecord[] {
    const rows = this.db.prepare(`SELECT * FROM job_files WHERE job_id = ? AND position >= ? ORDER BY position LIMIT ?`).all(jobId, from, limit) as FileRow[];
    return rows.map(toFileRecord);
  }

  private toRecord(row: JobRow): JobRecord {
    return this.toRecords([row])[0]!;
  }

  /** Jobs with their files, read in one query for all of them (History lists 50 jobs at a time). */
  private toRecords(rows: JobRow[]): JobRecord[] {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const fileRows = this.db.prepare(`SELECT * FROM job_files WHERE job_id IN (SELECT value FROM json_each(?)) ORDER BY job_id, position`).all(JSON.stringify(ids)) as FileRow[];
    const filesByJob = new Map<string, JobFileRecord[]>(ids.map((id) => [id, []]));
    for (const file of fileRows) filesByJob.get(file.job_id)?.push(toFileRecord(file));
    return rows.map((row) => this.recordOf(row, filesByJob.get(row.id) ?? []));
  }

  private recordOf(row: JobRow, files: JobFileRecord[]): JobRecord {
    return {
      id: row.id,
      kind: row.kind,
      status: row.status,
      settings: readSettings(row.settings),
      modelId: row.model_id,
      deviceId: row.device_id,
      createdAt: row.created_at,
      finishedAt: row.finished_at,
      succeeded: row.succeeded,
      failed: row.failed,
      skipped: row.skipped,
      ms: row.ms,
      files,
      fileCount: files.length,
      fingerprint: row.fingerprint,
      owner: row.owner,
      watchFolderId: row.watch_folder_id,
      listed: row.listed !== 0,
    };
  }
}

/**
 * A job's settings as stored: parsed with the shared schema (the database is a boundary),
 * so a field an older version wrote that this one cannot read is dropped, not trusted. A
 * row that is not a settings record at all is kept as it is for the history to show;
 * `resume` refuses it with a message.
 */
function readSettings(text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return {};
  }
  const parsed = parseStoredSettings(raw);
  if ('settings' in parsed) return parsed.settings;
  return typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
}

function toFileRecord(f: FileRow): JobFileRecord {
  return {
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
    contentHash: f.content_hash,
    outputSha256: f.output_sha256,
    outputBytes: f.output_bytes,
    ranOn: f.ran_on,
  };
}
