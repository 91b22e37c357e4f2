import { promises as fs, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { HeirloomError, type ErrorInfo } from '../../shared/errors.js';
import { numberedName } from '../fs/atomic-output.js';
import { claimOutputPath, syncFile } from '../fs/claim-output.js';
import { sha256File } from '../fs/content-hash.js';
import { PhotoIdentities } from './photo-identity.js';
import { isRetriableFailure } from './restored-output.js';
import { listInputs, type InputEntry } from '../fs/collect-inputs.js';
import type { JobFileRecord, JobRecord, JobStore, NewJobFile, OutputClaim } from '../store/job-store.js';
import { ReadAhead } from './read-ahead.js';
import { recoverInterruptedJobs, type CrashRecovery, type RecoveryReport } from './job-recovery.js';
import { newJobId } from './job-id.js';
import type { ProcessOwner } from '../store/process-owner.js';

/** A photo this run works on (an `error` means it failed before work: it is reported, not restored). */
export interface RunnableFile {
  kind: 'run';
  position: number;
  path: string;
  error?: ErrorInfo;
}

/** A photo this run does not restore, with the output that already holds it. */
export interface SkippedFile {
  kind: 'skip';
  position: number;
  file: string;
  reason: string;
  output?: string;
}

/** A photo of the job as it is reached, already recorded in the store. */
export type ReachedFile = RunnableFile | SkippedFile;

/** How far the listing of the job's inputs has gone: photos this run reports on so far, and whether that is all. */
export interface ListingProgress {
  files: number;
  done: boolean;
  /** A total reported again, smaller: photos counted when listed turned out to need nothing (see `uncount`). */
  corrected?: true;
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
  /** The user's files and folders, listed as the job goes (a resume lists them again when its listing was cut short). */
  inputs: string[];
  /** Folders never listed (the output folder). */
  exclude?: string[];
  fingerprint: string;
  /** New jobs: what the history records (and `heirloom resume` reads back). */
  settings: Record<string, unknown>;
  modelId: string;
  deviceId: string;
  kind?: string;
  watchFolderId?: string;
  /** Replace an existing file of the output's name (never the original) instead of picking a free name. */
  overwrite: boolean;
  /** A stop while the inputs are being listed or hashed ends the listing (CANCELLED). */
  signal?: AbortSignal | undefined;
  /** Told each output's name and hash once recorded, before the move (a farm worker records it in Redis too). */
  beforeClaim?: ((claim: OutputClaimNotice) => Promise<void>) | undefined;
  /** How many photos are hashed ahead of the one being restored (default HASH_AHEAD). */
  hashAhead?: number;
}

/** An output about to be moved into place: which photo, where, with which bytes. */
export interface OutputClaimNotice {
  file: string;
  outputPath: string;
  outputSha256: string;
}

/** Photos hashed and recorded ahead of the restore: enough that it never waits on a hash, few enough to stay "just ahead". */
export const HASH_AHEAD = 64;
/** Rows written in one transaction at most (a flush also happens whenever the restore takes a photo). */
const WRITE_BATCH = 1000;
/** Listing progress is told at most this often (and at the end). */
const LISTING_REPORT_MS = 500;

/**
 * A job whose every state change is in the store before the work it describes. Its inputs
 * are listed and hashed as the job goes (a folder of 100,000 photos starts on the first):
 * the listing runs ahead, each photo is hashed a few photos ahead of the restore, and its
 * row (queued, or skipped when already restored with the same settings) is written, in
 * batches, before the restore takes it. Until the listing ends the job is marked unlisted,
 * so a resume lists the inputs again and adds what was not reached. Each output's path and
 * hash are recorded before the output is moved into place (see `commit`), so that no kill
 * leaves a photo forgotten or restored twice.
 */
export class DurableJob {
  private readonly positions = new Map<string, number>();
  private readonly listing: ReadAhead<ListedPhoto>;
  private readonly reached: ReadAhead<ReachedFile>;
  private found = 0;
  private lastReport = 0;
  /** The total last reported with `done` (undefined until the listing ends). */
  private reportedTotal: number | undefined;
  private onListing: ((progress: ListingProgress) => void) | undefined;

  private constructor(
    private readonly options: DurableJobOptions,
    readonly id: string,
    /** What recoverInterruptedJobs did before this job opened. */
    readonly recovery: RecoveryReport,
    private readonly fingerprint: string,
    listed: AsyncGenerator<ListedPhoto>,
    decide: (photo: ListedPhoto) => Promise<ReachedFile | undefined>,
    /** Set when the listing reaches its end (a new or re-listed job becomes listed). */
    private readonly whenListed: (() => void) | undefined,
    /** Store writes of the photos reached, not yet flushed (`decide` adds to them). */
    private readonly writes: Array<() => void>,
  ) {
    this.listing = new ReadAhead(this.counted(listed), Number.POSITIVE_INFINITY);
    this.reached = new ReadAhead(this.decided(decide), options.hashAhead ?? HASH_AHEAD);
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

  /** Photos this run reports on (restored, failed or skipped) found so far, and whether the listing has ended. */
  get progress(): ListingProgress {
    return { files: this.found, done: this.listing.finished };
  }


  /** Photos listed and not yet taken by the restore; undefined while the listing goes on (the total is not known). */
  get upcoming(): number | undefined {
    return this.listing.finished ? this.listing.waiting + this.reached.waiting : undefined;
  }

  /** Starts listing and hashing; `onListing` hears how far the listing got (every half second and at its end). */
  start(onListing?: (progress: ListingProgress) => void): void {
    this.onListing = onListing;
    this.reached.start();
  }

  /** The next photo, recorded in the store; undefined when every photo was taken. Throws CANCELLED on a stop. */
  async next(): Promise<ReachedFile | undefined> {
    const photo = await this.reached.next();
    this.flush();
    return photo;
  }

  /** Stops listing and hashing (a cancelled job): what was not reached waits for `resume`. */
  async close(): Promise<void> {
    await Promise.all([this.reached.close(), this.listing.close()]);
    this.flush();
  }

  private async *counted(listed: AsyncGenerator<ListedPhoto>): AsyncGenerator<ListedPhoto> {
    for await (const photo of listed) {
      if (photo.reported) {
        this.found++;
        if (Date.now() - this.lastReport >= LISTING_REPORT_MS) {
          this.lastReport = Date.now();
          this.onListing?.({ files: this.found, done: false });
        }
      }
      yield photo;
    }
    // The total is known once the listing ends (photos are still being hashed and recorded behind it).
    this.reportTotal(false);
  }

  private async *decided(decide: (photo: ListedPhoto) => Promise<ReachedFile | undefined>): AsyncGenerator<ReachedFile> {
    for (;;) {
      const photo = await this.listing.next();
      if (!photo) break;
      const reached = await decide(photo);
      if (!reached) {
        if (photo.reported) this.uncount();
        continue;
      }
      this.positions.set(reached.kind === 'run' ? reached.path : reached.file, reached.position);
      if (this.writes.length >= WRITE_BATCH) this.flush();
      yield reached;
    }
    // Only a listing that reached its end marks the job listed: one closed early (the job
    // failed or was stopped) leaves the rest for `resume` to list.
    const whenListed = this.whenListed;
    if (whenListed && this.listing.finished) this.writes.push(whenListed);
    this.flush();
    if (this.reportedTotal !== undefined && this.reportedTotal !== this.found) this.reportTotal(true);
  }

  /**
   * A photo counted when it was listed needs nothing after all (a resumed photo that failed
   * for good, its file unchanged: only its hash tells): the total shrinks. Once the listing
   * has ended the corrected total is reported, at most every half second and at the end.
   */
  private uncount(): void {
    this.found--;
    if (this.reportedTotal !== undefined && Date.now() - this.lastReport >= LISTING_REPORT_MS) this.reportTotal(true);
  }

  /** The job's total as it stands (`corrected`: smaller than the total the listing reported). */
  private reportTotal(corrected: boolean): void {
    this.lastReport = Date.now();
    this.reportedTotal = this.found;
    this.onListing?.({ files: this.found, done: true, ...(corrected ? { corrected: true as const } : {}) });
  }

  /** Writes the rows recorded so far, in one transaction. */
  private flush(): void {
    if (this.writes.length === 0) return;
    const writes = this.writes.splice(0);
    this.options.jobs.batch(() => {
      for (const write of writes) write();
    });
  }

  /**
   * Creates the job, or continues one: the job asked for (resumeJobId), or the newest
   * interrupted job made by the same command (same inputs, same settings), so running a
   * command again after a crash continues its job instead of starting another. (A job the
   * user cancelled stays cancelled: a new job skips what it finished.)
   */
  static async open(options: DurableJobOptions): Promise<DurableJob> {
    const recovery = await (options.recovery ? options.recovery.once() : recoverInterruptedJobs(options.jobs, options.owner));
    if (options.resumeJobId) return DurableJob.resume(options, options.resumeJobId, recovery, false);
    const previous = options.jobs.latestInterrupted(options.fingerprint, options.kind ?? 'restore');
    if (previous && sameInputs(recordedInputs(previous), options.inputs)) return DurableJob.resume(options, previous.id, recovery, true);
    return DurableJob.create(options, recovery);
  }

  private static create(options: DurableJobOptions, recovery: RecoveryReport): DurableJob {
    const { jobs, fingerprint } = options;
    const identities = options.identities ?? new PhotoIdentities(jobs);
    const id = newJobId();
    jobs.createJob({
      id,
      kind: options.kind ?? 'restore',
      settings: options.settings,
      modelId: options.modelId,
      deviceId: options.deviceId,
      inputs: [],
      fingerprint,
      owner: options.owner.token,
      listing: true,
      ...(options.watchFolderId ? { watchFolderId: options.watchFolderId } : {}),
    });
    const firstOfContent = new Map<string, string>();
    const writes: Array<() => void> = [];
    const context: NewPhotoContext = { options, identities, jobId: id, fingerprint, firstOfContent, writes };
    let position = 0;
    const decide = ({ entry }: ListedPhoto) => addPhoto(context, position++, entry);
    return new DurableJob(options, id, recovery, fingerprint, listed(options), decide, () => jobs.markListed(id), writes);
  }

  /**
   * Continues a job: its queued, running and cancelled photos, and failed ones whose failure
   * may pass (or whose file changed since). Done and skipped photos stay as they are. A job
   * whose listing was cut short (or the same command run again) lists its inputs again:
   * photos it had not reached are added, in the order they are found.
   */
  private static resume(options: DurableJobOptions, jobId: string, recovery: RecoveryReport, sameCommand: boolean): DurableJob {
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
    const rows = new Map(job.files.map((file) => [file.inputPath, file]));
    const relist = (job.listed === false || sameCommand) && options.inputs.length > 0;
    let nextPosition = job.files.reduce((max, f) => Math.max(max, f.position + 1), 0);
    const firstOfContent = new Map<string, string>();
    const writes: Array<() => void> = [];
    const context: NewPhotoContext = { options, identities, jobId, fingerprint, firstOfContent, writes };
    const decide = async ({ entry, row }: ListedPhoto): Promise<ReachedFile | undefined> => {
      // Not reached before the interruption: recorded now, like a new job's photo.
      if (!row) return addPhoto(context, nextPosition++, entry);
      if (!wantsAnotherTry(row)) return undefined;
      const identity = await identities.identify(row.inputPath, options.signal);
      if ('error' in identity) return { kind: 'run', position: row.position, path: row.inputPath, error: identity.error };
      if (row.status === 'failed' && !isRetriableFailure(row.errorCode) && identity.contentHash === row.contentHash) return undefined;
      const skip = options.redo ? undefined : await identities.noWorkReason(row.inputPath, identity, fingerprint, { firstOfContent });
      if (skip) {
        const output = skip.kind === 'restored' ? skip.output : undefined;
        writes.push(() => jobs.markFileSkipped(jobId, row.position, output ?? null, skip.reason));
        return { kind: 'skip', position: row.position, file: row.inputPath, reason: skip.reason, ...(output ? { output } : {}) };
      }
      writes.push(() => jobs.requeueFile(jobId, row.position, identity));
      firstOfContent.set(identity.contentHash, row.inputPath);
      return { kind: 'run', position: row.position, path: row.inputPath };
    };
    const source = relist ? relisted(options, rows) : recordedRows(job.files);
    return new DurableJob(options, jobId, recovery, fingerprint, source, decide, relist ? () => jobs.markListed(jobId) : undefined, writes);
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

/** What recording a job's new photos needs: the job, and the state shared by its photos. */
interface NewPhotoContext {
  options: DurableJobOptions;
  identities: PhotoIdentities;
  jobId: string;
  fingerprint: string;
  /** The first photo of each content this run restores (a copy of it is skipped as a duplicate). */
  firstOfContent: Map<string, string>;
  writes: Array<() => void>;
}

/** A photo the job has no row for: hashed, its row (queued, or skipped with the reason) added at `position`. */
async function addPhoto(context: NewPhotoContext, position: number, entry: InputEntry): Promise<ReachedFile> {
  const { options, identities, jobId, fingerprint, firstOfContent, writes } = context;
  const path = entry.path;
  const record = (file: NewJobFile) => writes.push(() => options.jobs.addFile(jobId, position, path, file));
  if (entry.error) {
    record({});
    return { kind: 'run', position, path, error: entry.error };
  }
  const identity = await identities.identify(path, options.signal);
  if ('error' in identity) {
    record({});
    return { kind: 'run', position, path, error: identity.error };
  }
  const { contentHash, size, mtimeMs } = identity;
  const skip = options.redo ? undefined : await identities.noWorkReason(path, identity, fingerprint, { firstOfContent });
  const output = skip?.kind === 'restored' ? skip.output : undefined;
  record({ contentHash, size, mtimeMs, ...(skip ? { skipped: { outputPath: output ?? null, reason: skip.reason } } : {}) });
  if (skip) return { kind: 'skip', position, file: path, reason: skip.reason, ...(output ? { output } : {}) };
  firstOfContent.set(contentHash, path);
  return { kind: 'run', position, path };
}

/** A photo found by the listing, with its row when the job recorded it before; `reported` when this run reports on it. */
interface ListedPhoto {
  entry: InputEntry;
  row?: JobFileRecord;
  reported: boolean;
}

async function* listed(options: DurableJobOptions): AsyncGenerator<ListedPhoto> {
  for await (const entry of listInputs(options.inputs, { exclude: options.exclude ?? [], signal: options.signal })) yield { entry, reported: true };
}

/** The inputs listed again: each with its row when it had one, then the rows the listing no longer finds (they fail as gone). */
async function* relisted(options: DurableJobOptions, rows: Map<string, JobFileRecord>): AsyncGenerator<ListedPhoto> {
  const seen = new Set<string>();
  for await (const { entry } of listed(options)) {
    const row = rows.get(entry.path);
    seen.add(entry.path);
    yield { entry, ...(row ? { row } : {}), reported: !row || wantsAnotherTry(row) };
  }
  for (const [path, row] of rows) if (!seen.has(path)) yield { entry: { path }, row, reported: wantsAnotherTry(row) };
}

async function* recordedRows(files: JobFileRecord[]): AsyncGenerator<ListedPhoto> {
  for (const row of files) yield { entry: { path: row.inputPath }, row, reported: wantsAnotherTry(row) };
}

/** The inputs a job was started with, as recorded in its settings. */
function recordedInputs(job: JobRecord): string[] {
  const inputs = job.settings.inputs;
  return Array.isArray(inputs) ? inputs.filter((i): i is string => typeof i === 'string') : [];
}

function sameInputs(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((path, i) => resolve(path) === resolve(b[i]!));
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
