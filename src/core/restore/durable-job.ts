import { promises as fs, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { HeirloomError, type ErrorCode, type ErrorInfo } from '../../shared/errors.js';
import { numberedName } from '../fs/atomic-output.js';
import { claimOutputPath, syncFile } from '../fs/claim-output.js';
import { sha256File } from '../fs/content-hash.js';
import { statWithin } from '../fs/with-deadline.js';
import type { InputEntry } from '../fs/collect-inputs.js';
import type { JobFileRecord, JobStore, NewJobFile, OutputClaim, RestoredOutput } from '../store/job-store.js';
import { recoverInterruptedJobs, type RecoveryReport } from './job-recovery.js';
import { newJobId } from './job-id.js';
import type { ProcessOwner } from './process-owner.js';

/** A photo this run works on (an `error` means it failed before work: it is reported, not restored). */
export interface RunnableFile {
  position: number;
  path: string;
  error?: ErrorInfo;
}

/** A photo this run does not restore, with the output that already holds it. */
export interface SkippedFile {
  position: number;
  file: string;
  reason: string;
  output?: string;
}

export interface DurableJobOptions {
  jobs: JobStore;
  owner: ProcessOwner;
  /** Continue this job instead of creating one. */
  resumeJobId?: string;
  /** Restore again what an earlier job already restored with the same settings. */
  redo?: boolean;
  /** New jobs: the collected inputs, in job order. */
  entries: InputEntry[];
  fingerprint: string;
  /** New jobs: what the history records (and `heirloom resume` reads back). */
  settings: Record<string, unknown>;
  modelId: string;
  deviceId: string;
  kind?: string;
  watchFolderId?: string;
  /** Replace an existing file of the output's name (never the original) instead of picking a free name. */
  overwrite: boolean;
  /** A stop while the inputs are being hashed ends the hashing (CANCELLED). */
  signal?: AbortSignal | undefined;
}

/**
 * Failures that belong to the photo itself: retrying the same bytes gives the same answer,
 * so `resume` leaves them (a changed file is tried again). Anything else (out of memory, a
 * provider, a full disk, a folder that was unplugged, a cancel) is tried again.
 */
const PERMANENT_FAILURES: ReadonlySet<string> = new Set<ErrorCode>(['EMPTY_FILE', 'UNSUPPORTED_FORMAT', 'DECODE_FAILED', 'TRUNCATED', 'TOO_MANY_PIXELS', 'TOO_SMALL', 'BAD_ASPECT', 'NOT_A_FILE', 'SYMLINK_LOOP']);

export function isRetriableFailure(code: string | null): boolean {
  return code === null || !PERMANENT_FAILURES.has(code);
}

/**
 * A job whose every state change is in the store before the work it describes: created
 * (or taken over, on resume) with each photo's content hash; photos already restored with
 * the same settings are skipped with their existing output; and each output's path and
 * hash are recorded before the output is moved into place (see `commit`), so that no kill
 * leaves a photo forgotten or restored twice.
 */
export class DurableJob {
  private readonly positions = new Map<string, number>();

  private constructor(
    private readonly options: DurableJobOptions,
    readonly id: string,
    readonly toRun: RunnableFile[],
    readonly skipped: SkippedFile[],
    /** What recoverInterruptedJobs did before this job opened. */
    readonly recovery: RecoveryReport,
    private readonly fingerprint: string,
  ) {
    for (const file of toRun) this.positions.set(file.path, file.position);
  }

  /** What the start-up recovery did, for people (a warning event); empty when nothing had been interrupted. */
  get recoveryNote(): string | undefined {
    const { interrupted, adopted, requeued, setAside, tempsRemoved } = this.recovery;
    if (interrupted.length === 0 && tempsRemoved.length === 0) return undefined;
    const parts = [
      `${interrupted.length} interrupted job${interrupted.length === 1 ? '' : 's'} (${interrupted.join(', ')}) recovered`,
      adopted.length > 0 ? `${adopted.length} output${adopted.length === 1 ? '' : 's'} finished just before the interruption kept` : '',
      requeued > 0 ? `${requeued} photo${requeued === 1 ? '' : 's'} put back in the queue (heirloom resume)` : '',
      setAside.length > 0 ? `${setAside.length} photo${setAside.length === 1 ? '' : 's'} set aside after stopping Heirloom repeatedly: ${setAside.map((s) => s.file).join(', ')}` : '',
      tempsRemoved.length > 0 ? `${tempsRemoved.length} leftover temporary file${tempsRemoved.length === 1 ? '' : 's'} removed` : '',
    ].filter(Boolean);
    return `An earlier run was interrupted: ${parts.join('; ')}.`;
  }

  /** Photos this run reports on: restored, failed or skipped. */
  get files(): number {
    return this.toRun.length + this.skipped.length;
  }

  /**
   * Creates the job, or continues one: the job asked for (resumeJobId), or the newest
   * interrupted job made by the same command (same photos, same settings), so running a
   * command again after a crash continues its job instead of starting another. (A job the
   * user cancelled stays cancelled: a new job skips what it finished.)
   */
  static async open(options: DurableJobOptions): Promise<DurableJob> {
    const recovery = await recoverInterruptedJobs(options.jobs, options.owner);
    if (options.resumeJobId) return DurableJob.resume(options, options.resumeJobId, recovery);
    const previous = options.jobs.latestInterrupted(options.fingerprint, options.kind ?? 'restore');
    if (previous && sameInputs(previous.files.map((f) => f.inputPath), options.entries.map((e) => e.path))) return DurableJob.resume(options, previous.id, recovery);
    return DurableJob.create(options, recovery);
  }

  private static async create(options: DurableJobOptions, recovery: RecoveryReport): Promise<DurableJob> {
    const { jobs, entries, fingerprint } = options;
    const id = newJobId();
    const files: NewJobFile[] = [];
    const toRun: RunnableFile[] = [];
    const skipped: SkippedFile[] = [];
    const firstOfContent = new Map<string, string>();
    for (const [position, entry] of entries.entries()) {
      if (entry.error) {
        files.push({});
        toRun.push({ position, path: entry.path, error: entry.error });
        continue;
      }
      const identity = await identify(jobs, entry.path, options.signal);
      if ('error' in identity) {
        files.push({});
        toRun.push({ position, path: entry.path, error: identity.error });
        continue;
      }
      const { contentHash, size, mtimeMs } = identity;
      const skip = options.redo ? undefined : await skipReason(jobs, contentHash, fingerprint, firstOfContent);
      files.push({ contentHash, size, mtimeMs, ...(skip ? { skipped: { outputPath: skip.output ?? null, reason: skip.reason } } : {}) });
      if (skip) skipped.push({ position, file: entry.path, ...skip });
      else {
        firstOfContent.set(contentHash, entry.path);
        toRun.push({ position, path: entry.path });
      }
    }
    jobs.createJob({
      id,
      kind: options.kind ?? 'restore',
      settings: options.settings,
      modelId: options.modelId,
      deviceId: options.deviceId,
      inputs: entries.map((e) => e.path),
      files,
      fingerprint,
      owner: options.owner.token,
      ...(options.watchFolderId ? { watchFolderId: options.watchFolderId } : {}),
    });
    return new DurableJob(options, id, toRun, skipped, recovery, fingerprint);
  }

  /**
   * Continues a job: its queued, running and cancelled photos, and failed ones whose failure
   * may pass (or whose file changed since). Done and skipped photos stay as they are.
   */
  private static async resume(options: DurableJobOptions, jobId: string, recovery: RecoveryReport): Promise<DurableJob> {
    const { jobs } = options;
    const job = jobs.getJob(jobId);
    if (!job) throw new HeirloomError('NOT_FOUND', `There is no job ${jobId} in the history. List jobs with "heirloom history".`);
    if (job.status === 'running' && options.owner.isAlive(job.owner)) {
      throw new HeirloomError('USAGE', `Job ${jobId} is still running in another Heirloom process. Wait for it or stop it first, then resume.`);
    }
    const fingerprint = job.fingerprint ?? options.fingerprint;
    if (!jobs.takeOverJob(jobId, options.owner.token)) {
      throw new HeirloomError('USAGE', `Job ${jobId} was just resumed by another Heirloom process. Wait for it to finish.`);
    }
    const toRun: RunnableFile[] = [];
    const skipped: SkippedFile[] = [];
    const firstOfContent = new Map<string, string>();
    for (const file of job.files) {
      if (!wantsAnotherTry(file)) continue;
      const identity = await identify(jobs, file.inputPath, options.signal);
      if ('error' in identity) {
        toRun.push({ position: file.position, path: file.inputPath, error: identity.error });
        continue;
      }
      if (file.status === 'failed' && !isRetriableFailure(file.errorCode) && identity.contentHash === file.contentHash) continue;
      const skip = options.redo ? undefined : await skipReason(jobs, identity.contentHash, fingerprint, firstOfContent);
      if (skip) {
        jobs.markFileSkipped(jobId, file.position, skip.output ?? null, skip.reason);
        skipped.push({ position: file.position, file: file.inputPath, ...skip });
        continue;
      }
      jobs.requeueFile(jobId, file.position, identity);
      firstOfContent.set(identity.contentHash, file.inputPath);
      toRun.push({ position: file.position, path: file.inputPath });
    }
    return new DurableJob(options, jobId, toRun, skipped, recovery, fingerprint);
  }

  /**
   * Moves a finished output into place (PhotoSettings.commit). The name is chosen first -
   * the usual one, else "name (1)", ...: never the original, never a name another photo
   * holds or has reserved, and a file already there is replaced only when it is this
   * photo's own earlier output (or the same bytes) or with --overwrite. The choice, with
   * the output's hash, is recorded before the move, so a kill after the move is adopted on
   * the next start instead of restoring the photo into a second file.
   */
  readonly commit = async (tempPath: string, finalPath: string, source: string): Promise<string> => {
    const position = this.positions.get(source);
    if (position === undefined) throw new HeirloomError('INTERNAL', `${source} is not part of job ${this.id}; its output was not kept.`, { file: source });
    await syncFile(tempPath);
    const [bytes, sha256] = [(await fs.stat(tempPath)).size, await sha256File(tempPath)];
    const own = this.options.jobs.getFile(this.id, position);
    const contentHash = own?.contentHash ?? null;
    for (let n = 0; n < MAX_NUMBERED; n++) {
      const candidate = numberedName(finalPath, n);
      if (await isSameFile(candidate, source)) continue;
      const claims = this.options.jobs.outputClaims(candidate).filter((c) => !(c.jobId === this.id && c.position === position));
      const sameWork = (c: { contentHash: string | null; fingerprint: string | null }) => contentHash !== null && c.contentHash === contentHash && c.fingerprint === this.fingerprint;
      if (claims.some((c) => !sameWork(c))) continue;
      const existing = await statOrUndefined(candidate);
      let replace = false;
      if (existing) {
        if (!existing.isFile()) continue;
        if (!this.options.overwrite && !(await this.isLeftByCrash(candidate, sha256, own?.outputSha256 ?? null, claims))) continue;
        replace = true;
      }
      this.options.jobs.markFileCommitting(this.id, position, { outputPath: candidate, outputSha256: sha256, outputBytes: bytes });
      if ((await claimOutputPath(tempPath, candidate, { replace })) === 'claimed') return candidate;
    }
    throw new HeirloomError('OUTPUT_EXISTS', `No free output name near ${finalPath}. Clear some files from the output folder.`, { file: source });
  };

  /**
   * Whether the file at `path` is this photo's own output from a run that died before
   * recording it as done (so replacing it makes no second copy): this row's earlier commit,
   * an unfinished commit of the same work, or identical bytes nobody claims (a record lost
   * to a power cut). A finished output of an earlier job is never replaced: a redo writes
   * next to it.
   */
  private async isLeftByCrash(path: string, sha256: string, ownSha256: string | null, sameWorkClaims: OutputClaim[]): Promise<boolean> {
    const onDisk = await sha256File(path).catch(() => undefined);
    if (onDisk === undefined) return false;
    if (ownSha256 !== null && onDisk === ownSha256) return true;
    if (sameWorkClaims.some((c) => c.status !== 'done' && c.outputSha256 === onDisk)) return true;
    return sameWorkClaims.length === 0 && onDisk === sha256;
  }
}

const MAX_NUMBERED = 10_000;

function sameInputs(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((path, i) => path === b[i]);
}

type Identity = { contentHash: string; size: number; mtimeMs: number } | { error: ErrorInfo };

/** The photo's content hash: reused from the store while size and modification time are unchanged, else read. */
async function identify(jobs: JobStore, path: string, signal?: AbortSignal): Promise<Identity> {
  try {
    const stat = await statWithin(path, signal);
    if (!stat.isFile()) return { error: new HeirloomError('NOT_A_FILE', `${path} is not a file (a folder?), so it cannot be restored. Pass the photos inside it instead.`, { file: path }).toInfo() };
    const known = jobs.knownContentHash(path, stat.size, stat.mtimeMs);
    return { contentHash: known ?? (await sha256File(path, { signal })), size: stat.size, mtimeMs: stat.mtimeMs };
  } catch (error) {
    if (error instanceof HeirloomError && error.code === 'CANCELLED') throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return { error: new HeirloomError('PERMISSION_DENIED', `${path} cannot be read: permission denied. Give your user access to it.`, { file: path }).toInfo() };
    return { error: new HeirloomError('NOT_FOUND', `${path} is gone (${code ?? (error as Error).message}). Put it back (or plug its drive in) and resume.`, { file: path }).toInfo() };
  }
}

/** Why a photo needs no work: restored before with these settings (output still there), or a copy of an earlier photo in this job. */
async function skipReason(jobs: JobStore, contentHash: string, fingerprint: string, firstOfContent: Map<string, string>): Promise<{ reason: string; output?: string } | undefined> {
  const earlier = await usableOutput(jobs.findRestored(contentHash, fingerprint));
  if (earlier) return { reason: `already restored with the same settings as ${earlier.outputPath} (job ${earlier.jobId})`, output: earlier.outputPath };
  const twin = firstOfContent.get(contentHash);
  if (twin) return { reason: `the same photo as ${twin} in this job` };
  return undefined;
}

/** The newest recorded output that is still on disk at its recorded size. */
export async function usableOutput(candidates: RestoredOutput[]): Promise<RestoredOutput | undefined> {
  for (const candidate of candidates) {
    const stat = await statOrUndefined(candidate.outputPath);
    if (stat?.isFile() && (candidate.outputBytes === null || candidate.outputBytes === stat.size)) return candidate;
  }
  return undefined;
}

/** Queued, running and cancelled photos; failed ones too (a permanent failure only if the file changed: checked by the caller). */
function wantsAnotherTry(file: JobFileRecord): boolean {
  return file.status === 'queued' || file.status === 'running' || file.status === 'cancelled' || file.status === 'failed';
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(path);
  } catch {
    return undefined;
  }
}

async function isSameFile(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  const [sa, sb] = [await statOrUndefined(a), await statOrUndefined(b)];
  return sa !== undefined && sb !== undefined && sa.dev === sb.dev && sa.ino === sb.ino;
}
