import { promises as fs, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { HeirloomError, type ErrorInfo } from '../../shared/errors.js';
import { numberedName } from '../fs/atomic-output.js';
import { claimOutputPath, syncFile } from '../fs/claim-output.js';
import { sha256File } from '../fs/content-hash.js';
import { PhotoIdentities } from './photo-identity.js';
import { isRetriableFailure } from './restored-output.js';
import type { InputEntry } from '../fs/collect-inputs.js';
import type { JobFileRecord, JobStore, NewJobFile, OutputClaim } from '../store/job-store.js';
import { recoverInterruptedJobs, type CrashRecovery, type RecoveryReport } from './job-recovery.js';
import { newJobId } from './job-id.js';
import type { ProcessOwner } from '../store/process-owner.js';

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
  /** Photos' identities and "already restored?" (the engine's, shared with watch folders, so a photo is hashed once). */
  identities?: PhotoIdentities;
  /** This process's crash recovery, run once (the engine's); without it every open recovers. */
  recovery?: CrashRecovery;
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
  /** Told each output's name and hash once recorded, before the move (a farm worker records it in Redis too). */
  beforeClaim?: ((claim: OutputClaimNotice) => Promise<void>) | undefined;
}

/** An output about to be moved into place: which photo, where, with which bytes. */
export interface OutputClaimNotice {
  file: string;
  outputPath: string;
  outputSha256: string;
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
    const recovery = await (options.recovery ? options.recovery.once() : recoverInterruptedJobs(options.jobs, options.owner));
    if (options.resumeJobId) return DurableJob.resume(options, options.resumeJobId, recovery);
    const previous = options.jobs.latestInterrupted(options.fingerprint, options.kind ?? 'restore');
    if (previous && sameInputs(previous.files.map((f) => f.inputPath), options.entries.map((e) => e.path))) return DurableJob.resume(options, previous.id, recovery);
    return DurableJob.create(options, recovery);
  }

  private static async create(options: DurableJobOptions, recovery: RecoveryReport): Promise<DurableJob> {
    const { jobs, entries, fingerprint } = options;
    const identities = options.identities ?? new PhotoIdentities(jobs);
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
      const identity = await identities.identify(entry.path, options.signal);
      if ('error' in identity) {
        files.push({});
        toRun.push({ position, path: entry.path, error: identity.error });
        continue;
      }
      const { contentHash, size, mtimeMs } = identity;
      const skip = options.redo ? undefined : await identities.noWorkReason(entry.path, identity, fingerprint, { firstOfContent });
      const output = skip?.kind === 'restored' ? skip.output : undefined;
      files.push({ contentHash, size, mtimeMs, ...(skip ? { skipped: { outputPath: output ?? null, reason: skip.reason } } : {}) });
      if (skip) skipped.push({ position, file: entry.path, reason: skip.reason, ...(output ? { output } : {}) });
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
    const identities = options.identities ?? new PhotoIdentities(jobs);
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
      const identity = await identities.identify(file.inputPath, options.signal);
      if ('error' in identity) {
        toRun.push({ position: file.position, path: file.inputPath, error: identity.error });
        continue;
      }
      if (file.status === 'failed' && !isRetriableFailure(file.errorCode) && identity.contentHash === file.contentHash) continue;
      const skip = options.redo ? undefined : await identities.noWorkReason(file.inputPath, identity, fingerprint, { firstOfContent });
      if (skip) {
        const output = skip.kind === 'restored' ? skip.output : undefined;
        jobs.markFileSkipped(jobId, file.position, output ?? null, skip.reason);
        skipped.push({ position: file.position, file: file.inputPath, reason: skip.reason, ...(output ? { output } : {}) });
        continue;
      }
      jobs.requeueFile(jobId, file.position, identity);
      firstOfContent.set(identity.contentHash, file.inputPath);
      toRun.push({ position: file.position, path: file.inputPath });
    }
    return new DurableJob(options, jobId, toRun, skipped, recovery, fingerprint);
  }

  /** A photo's work begins (its state is in the store before any output exists). */
  started(position: number): void {
    this.options.jobs.markFileRunning(this.id, position);
  }

  /** A photo's output is in place. */
  done(position: number, output: { outputPath: string; width: number; height: number; ms: number }): void {
    this.options.jobs.markFileDone(this.id, position, output);
  }

  /** A photo failed (it is reported; the rest of the job goes on). */
  failed(position: number, error: { code: string; message: string; ms?: number }): void {
    this.options.jobs.markFileFailed(this.id, position, error);
  }

  /** A photo was stopped by a cancel: `resume` takes it again. */
  cancelled(position: number): void {
    this.options.jobs.markFileCancelled(this.id, position);
  }

  /** The job's end: finished, or cancelled (its unfinished photos wait for `resume`). */
  finish(status: 'finished' | 'cancelled', ms: number): void {
    this.options.jobs.finishJob(this.id, { status, ms });
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
      await this.options.beforeClaim?.({ file: source, outputPath: candidate, outputSha256: sha256 });
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
