import { promises as fs } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { WatchActivity, WatchFolderView } from '../../shared/contract-views.js';
import { HeirloomError, toErrorInfo } from '../../shared/errors.js';
import type { RestoreEvent } from '../../shared/events.js';
import type { JobSettings } from '../../shared/job-settings.js';
import { presetJobSettings, WatchPresetSchema, type WatchEvent, type WatchEventKind, type WatchFolder, type WatchPreset, type WatchState } from '../../shared/watch.js';
import type { PhotoIdentities } from '../restore/photo-identity.js';
import type { RecoveryReport } from '../restore/job-recovery.js';
import { ProcessOwner } from '../store/process-owner.js';
import type { RestoreRequest, RestoreSummary, RunControls } from '../restore/restore-engine.js';
import { ensureWritableFolder } from '../fs/writable-folder.js';
import { resumeRequest } from '../restore/resume-request.js';
import type { JobStore } from '../store/job-store.js';
import type { WatchFolderRecord, WatchStore } from '../store/watch-store.js';
import { BurstQueue, type QueuedFile } from './burst-queue.js';
import { FolderWatcher } from './folder-watcher.js';

/** What the service needs from the RestoreEngine. */
export interface WatchEngine {
  run(request: RestoreRequest, emit: (event: RestoreEvent) => void, controls: RunControls): Promise<RestoreSummary>;
  fingerprintFor(request: Pick<RestoreRequest, 'outDir'> & JobSettings): Promise<string>;
  /** Photos' identities and "already restored?", shared with the engine's jobs (each photo hashed once). */
  readonly identities: PhotoIdentities;
  /** This process's crash recovery (run once, shared with the engine's jobs). */
  readonly recovery: { once(): Promise<RecoveryReport> };
}

export interface WatchServiceDeps {
  store: WatchStore;
  jobs: JobStore;
  engine: WatchEngine;
  owner?: ProcessOwner;
}

export interface WatchServiceOptions {
  /** A file is taken once it has not changed for this long (default 2000 ms). */
  stableMs?: number;
  /** How often a file being written is looked at (default 200 ms). */
  pollMs?: number;
  /** How often each folder is checked for being gone or back (default 2000 ms). */
  presenceMs?: number;
  /** A burst of files is over after this much quiet (default 750 ms)... */
  quietMs?: number;
  /** ...or once its first file waited this long (default 5000 ms). */
  maxWaitMs?: number;
  /** Most photos in one job (default 32). */
  maxBatch?: number;
  /** A job that could not start (output folder unplugged, model missing) is tried again after this long (default 30 s). */
  retryMs?: number;
  /** Recent activity kept per folder for list() (default 20). */
  recent?: number;
}

interface ActiveFolder {
  record: WatchFolderRecord;
  watcher: FolderWatcher;
}

/**
 * Watch folders: every complete photo that appears in a watched folder (or its subfolders)
 * is restored once into the folder's output folder with its preset. Photos are known by
 * content hash and preset fingerprint, so a renamed or re-copied photo is not restored again
 * and an edited one is. Files that arrive together become one job (one engine, one model
 * session), jobs run one at a time. Everything is durable: jobs interrupted by a crash are
 * continued on start, and the start-up scan finds whatever arrived while nothing watched.
 *
 * The app starts it on launch (and plugs it into the studio as its WatchPort); `heirloom
 * watch` starts it for one folder.
 */
export class WatchService {
  private readonly owner: ProcessOwner;
  private readonly options: Required<WatchServiceOptions>;
  private readonly active = new Map<string, ActiveFolder>();
  private readonly states = new Map<string, { state: WatchState; message?: string }>();
  private readonly recentActivity = new Map<string, WatchActivity[]>();
  private readonly listeners = new Set<(event: WatchEvent) => void>();
  private readonly activityListeners = new Set<(activity: WatchActivity) => void>();
  private readonly queue: BurstQueue;
  private readonly resumes: Array<{ folderId: string; jobId: string }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly lifetime = new AbortController();
  private worker: Promise<void> | undefined;
  private running: { folderId: string; abort: AbortController } | undefined;
  private only: Set<string> | undefined;
  private started = false;

  constructor(
    private readonly deps: WatchServiceDeps,
    options: WatchServiceOptions = {},
  ) {
    this.owner = deps.owner ?? new ProcessOwner();
    this.options = {
      stableMs: options.stableMs ?? 2000,
      pollMs: options.pollMs ?? 200,
      presenceMs: options.presenceMs ?? 2000,
      quietMs: options.quietMs ?? 750,
      maxWaitMs: options.maxWaitMs ?? 5000,
      maxBatch: options.maxBatch ?? 32,
      retryMs: options.retryMs ?? 30_000,
      recent: options.recent ?? 20,
    };
    this.queue = new BurstQueue({ quietMs: this.options.quietMs, maxWaitMs: this.options.maxWaitMs, maxBatch: this.options.maxBatch });
  }

  /**
   * Recovers from a crash (adopts outputs written just before it, re-queues what was
   * running), continues the folders' interrupted jobs, then watches every folder that is
   * not paused (or only those in `only`).
   */
  async start(options: { only?: string[] } = {}): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.only = options.only ? new Set(options.only) : undefined;
    this.reportRecovery(await this.deps.engine.recovery.once());
    this.worker = this.work();
    for (const record of this.deps.store.list()) if (!record.paused && this.wanted(record.id)) await this.activate(record);
  }

  async list(): Promise<WatchFolderView[]> {
    return this.deps.store.list().map((record) => ({ ...this.toFolder(record), recent: [...(this.recentActivity.get(record.id) ?? [])] }));
  }

  get(id: string): WatchFolder | undefined {
    const record = this.deps.store.get(id);
    return record ? this.toFolder(record) : undefined;
  }

  /** Adds a folder (it must exist; the output folder is created) and watches it if the service runs. */
  async add(folder: { path: string; outDir: string; preset: WatchPreset }): Promise<void> {
    await this.addFolder(folder);
  }

  /**
   * The folder watched from `path` into `outDir`, with this preset: the stored one (preset
   * updated, unpaused) or a new one. What `heirloom watch` uses, so a restart continues it.
   */
  async ensure(folder: { path: string; outDir: string; preset: WatchPreset }): Promise<WatchFolder> {
    const existing = this.deps.store.find(resolve(folder.path), resolve(folder.outDir));
    if (!existing) return this.addFolder(folder);
    this.deps.store.update(existing.id, { preset: WatchPresetSchema.parse(folder.preset), paused: false });
    return this.get(existing.id)!;
  }

  private async addFolder(folder: { path: string; outDir: string; preset: WatchPreset }): Promise<WatchFolder> {
    const path = resolve(folder.path);
    const outDir = resolve(folder.outDir);
    const preset = WatchPresetSchema.parse(folder.preset);
    let stat;
    try {
      stat = await fs.stat(path);
    } catch {
      throw new HeirloomError('NOT_FOUND', `${path} does not exist. Create the folder (or plug its drive in) before watching it.`, { file: path });
    }
    if (!stat.isDirectory()) throw new HeirloomError('USAGE', `${path} is a file; watch the folder it is in instead.`, { file: path });
    if (outDir === path) throw new HeirloomError('USAGE', `The output folder must differ from the watched folder ${path} (a subfolder is fine: it is not watched).`, { file: path });
    const existing = this.deps.store.find(path, outDir);
    if (existing) throw new HeirloomError('USAGE', `${path} is already watched into ${outDir} (${existing.id}). Change its preset or remove it first.`, { file: path });
    await ensureWritableFolder(outDir);
    const record = this.deps.store.add({ path, outDir, preset });
    if (this.started && this.wanted(record.id)) await this.activate(record);
    return this.toFolder(this.deps.store.get(record.id) ?? record);
  }

  /** Stops watching the folder (a running job of it is cancelled) until resume(). */
  async pause(id: string): Promise<void> {
    const record = this.deps.store.update(id, { paused: true }) ?? this.missing(id);
    await this.deactivate(id);
    this.states.set(id, { state: 'paused' });
    this.emitWatch(id, 'paused', `Paused watching ${record.path}.`);
  }

  /** Watches the folder again; its scan finds what arrived meanwhile. */
  async resume(id: string): Promise<void> {
    const record = this.deps.store.update(id, { paused: false }) ?? this.missing(id);
    this.states.delete(id);
    if (this.started && this.wanted(id)) await this.activate(record);
  }

  /** Stops watching and forgets the folder; its jobs stay in the history. */
  async remove(id: string): Promise<void> {
    const record = this.deps.store.get(id) ?? this.missing(id);
    await this.deactivate(id);
    this.deps.store.remove(id);
    this.states.delete(id);
    this.emitWatch(id, 'removed', `Stopped watching ${record.path} and removed it.`);
    this.recentActivity.delete(id);
  }

  /** Every event: the folders' own and the restore events of their jobs. Returns the unsubscribe function. */
  on(listener: (event: WatchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The studio's view of the stream (WatchPort): one activity per folder event and per photo done, failed or skipped. */
  onActivity(listener: (activity: WatchActivity) => void): () => void {
    this.activityListeners.add(listener);
    return () => this.activityListeners.delete(listener);
  }

  /** Stops watching; a running job is cancelled (its photos are restored on the next start). */
  async dispose(): Promise<void> {
    this.lifetime.abort();
    this.running?.abort.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.worker;
    for (const id of [...this.active.keys()]) await this.deactivate(id);
    this.listeners.clear();
    this.activityListeners.clear();
  }

  /** One 'recovered' event per folder whose jobs were interrupted (a crash, kill or power cut). */
  private reportRecovery(report: RecoveryReport): void {
    for (const record of this.deps.store.list()) {
      const jobs = report.interrupted.filter((id) => this.deps.jobs.getJob(id)?.watchFolderId === record.id);
      if (jobs.length === 0) continue;
      const adopted = report.adopted.filter((a) => jobs.includes(a.jobId)).length;
      const setAside = report.setAside.filter((a) => jobs.includes(a.jobId)).length;
      const temps = report.tempsRemoved.filter((path) => dirname(path) === resolve(record.outDir)).length;
      this.emitWatch(
        record.id,
        'recovered',
        `Heirloom was interrupted while restoring from ${record.path}: ${adopted} output${adopted === 1 ? '' : 's'} finished just before it kept, ${temps} leftover temporary file${temps === 1 ? '' : 's'} removed${setAside > 0 ? `, ${setAside} photo${setAside === 1 ? '' : 's'} set aside after stopping Heirloom repeatedly` : ''}; the rest continues.`,
      );
    }
  }

  private wanted(id: string): boolean {
    return this.only === undefined || this.only.has(id);
  }

  private missing(id: string): never {
    throw new HeirloomError('NOT_FOUND', `There is no watch folder ${id}. List them to see their ids.`);
  }

  /** Claims the folder for this process, queues its interrupted jobs, and watches it. */
  private async activate(record: WatchFolderRecord): Promise<void> {
    if (this.active.has(record.id) || this.lifetime.signal.aborted) return;
    const claim = this.deps.store.claim(record.id, this.owner.token, (holder) => this.owner.isAlive(holder));
    if (!claim.ok) {
      this.setState(record.id, 'error', `${record.path} is watched by another Heirloom process; this one takes over when it stops.`);
      this.later(() => {
        const current = this.deps.store.get(record.id);
        if (current && !current.paused && this.wanted(record.id)) void this.activate(current);
      }, this.options.presenceMs);
      return;
    }
    const interrupted = this.deps.jobs.interruptedJobs({ watchFolderId: record.id });
    for (const job of interrupted) this.resumes.push({ folderId: record.id, jobId: job.id });
    if (interrupted.length > 0) this.queue.interrupt();
    const watcher = new FolderWatcher(
      record.path,
      record.outDir,
      {
        photo: (path, initial) => {
          this.queue.add({ folderId: record.id, path, initial });
          if (!initial) this.emitWatch(record.id, 'queued', `${basename(path)} is complete and waits for the next job.`, { file: path });
        },
        notPhoto: (path) => this.emitWatch(record.id, 'ignored', `${basename(path)} is not a photo (by its name), so it was left alone.`, { file: path }),
        state: (state, message) => this.setState(record.id, state, message ?? (state === 'watching' ? `Watching ${record.path}.` : undefined)),
      },
      { stableMs: this.options.stableMs, pollMs: this.options.pollMs, presenceMs: this.options.presenceMs },
    );
    this.active.set(record.id, { record, watcher });
    await watcher.start();
  }

  private async deactivate(id: string): Promise<void> {
    const folder = this.active.get(id);
    this.active.delete(id);
    this.queue.drop(id);
    for (let i = this.resumes.length - 1; i >= 0; i--) if (this.resumes[i]!.folderId === id) this.resumes.splice(i, 1);
    if (this.running?.folderId === id) this.running.abort.abort();
    await folder?.watcher.stop();
    this.deps.store.release(id, this.owner.token);
  }

  /** The one worker: interrupted jobs first, then bursts of new photos, one job at a time. */
  private async work(): Promise<void> {
    const signal = this.lifetime.signal;
    while (!signal.aborted) {
      const resume = this.resumes.shift();
      if (resume) {
        await this.continueJob(resume.folderId, resume.jobId);
        continue;
      }
      const burst = await this.queue.next(signal);
      if (burst) await this.restoreBurst(burst.folderId, burst.files);
    }
  }

  private async continueJob(folderId: string, jobId: string): Promise<void> {
    const job = this.deps.jobs.getJob(jobId);
    if (!this.active.has(folderId) || !job || job.status !== 'interrupted') return;
    const open = job.files.filter((f) => f.status === 'queued' || f.status === 'running').length;
    this.emitWatch(folderId, 'recovered', `Continuing job ${jobId} (${open} photo${open === 1 ? '' : 's'} left when it was interrupted).`, { jobId });
    const ok = await this.runJob(folderId, resumeRequest(job));
    if (!ok) this.later(() => this.resumes.push({ folderId, jobId }), this.options.retryMs);
  }

  /**
   * Restores a burst of one folder's photos as one job, after leaving out what needs no
   * work: Heirloom's own outputs, photos already restored with this preset (renamed or
   * re-copied), and photos whose content failed before.
   */
  private async restoreBurst(folderId: string, files: QueuedFile[]): Promise<void> {
    const folder = this.active.get(folderId);
    if (!folder) return;
    const base = requestFor(folder.record);
    let fingerprint: string;
    try {
      fingerprint = await this.deps.engine.fingerprintFor(base);
    } catch (error) {
      this.failedToStart(folderId, files, error);
      return;
    }
    const todo: string[] = [];
    for (const file of files) {
      const identity = await this.deps.engine.identities.identify(file.path);
      if ('error' in identity) continue; // gone before its turn: nothing to restore
      const skip = await this.deps.engine.identities.noWorkReason(file.path, identity, fingerprint, { skipOwnOutputs: true, skipPermanentFailures: true });
      if (!skip) {
        todo.push(file.path);
        continue;
      }
      if (file.initial) continue;
      const name = basename(file.path);
      if (skip.kind === 'own-output') this.emitWatch(folderId, 'ignored', `${name} is ${skip.reason}.`, { file: file.path });
      else if (skip.kind === 'restored') this.emitWatch(folderId, 'skipped', `${name} was already restored with this preset, as ${skip.output}.`, { file: file.path, output: skip.output });
      else if (skip.kind === 'failed-before') this.emitWatch(folderId, 'skipped', `${name} ${skip.reason}`, { file: file.path, code: skip.code });
    }
    if (todo.length === 0) return;
    const ok = await this.runJob(folderId, { ...base, inputs: todo });
    if (!ok) this.failedToStart(folderId, files.filter((f) => todo.includes(f.path)));
  }

  /** Runs one job of a folder; false when it could not start (retried later). */
  private async runJob(folderId: string, request: RestoreRequest): Promise<boolean> {
    if (this.lifetime.signal.aborted || !this.active.has(folderId)) return true;
    const abort = new AbortController();
    this.running = { folderId, abort };
    try {
      await this.deps.engine.run(request, (event) => this.emit({ ...event, folderId }), { signal: abort.signal });
      if (this.states.get(folderId)?.state === 'error') this.setState(folderId, 'watching', `Watching ${this.active.get(folderId)?.record.path ?? ''} again.`);
      return true;
    } catch (error) {
      const info = toErrorInfo(error);
      this.setState(folderId, 'error', `${info.message} Trying again in ${Math.round(this.options.retryMs / 1000)} s.`, info.code);
      return false;
    } finally {
      this.running = undefined;
    }
  }

  private failedToStart(folderId: string, files: QueuedFile[], error?: unknown): void {
    if (error !== undefined) {
      const info = toErrorInfo(error);
      this.setState(folderId, 'error', `${info.message} Trying again in ${Math.round(this.options.retryMs / 1000)} s.`, info.code);
    }
    this.later(() => {
      for (const file of files) if (this.active.has(folderId)) this.queue.add(file);
    }, this.options.retryMs);
  }

  private later(action: () => void, ms: number): void {
    if (this.lifetime.signal.aborted) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.lifetime.signal.aborted) action();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private setState(folderId: string, state: WatchState, message?: string, code?: string): void {
    const previous = this.states.get(folderId);
    this.states.set(folderId, { state, ...(message ? { message } : {}) });
    if (previous?.state === state && previous.message === message) return;
    const kind: WatchEventKind = state === 'watching' ? 'watching' : state === 'paused' ? 'paused' : state === 'missing' ? 'missing' : 'error';
    this.emitWatch(folderId, kind, message ?? state, code ? { code } : {});
  }

  private emitWatch(folderId: string, kind: WatchEventKind, message: string, extra: { file?: string; output?: string; code?: string; jobId?: string } = {}): void {
    this.emit({ type: 'watch', folderId, kind, at: Date.now(), message, ...extra });
  }

  private emit(event: WatchEvent): void {
    // One activity per event, the same in the folder's recent list and in the live stream (the studio shows each once by its time).
    const activity = toActivity(event);
    if (activity) {
      const recent = this.recentActivity.get(event.folderId) ?? [];
      recent.unshift(activity);
      recent.length = Math.min(recent.length, this.options.recent);
      this.recentActivity.set(event.folderId, recent);
    }
    for (const listener of this.listeners) deliver(() => listener(event));
    if (activity) for (const listener of this.activityListeners) deliver(() => listener(activity));
  }

  private toFolder(record: WatchFolderRecord): WatchFolder {
    const runtime = this.states.get(record.id);
    const state: WatchState = record.paused ? 'paused' : (runtime?.state ?? (this.active.has(record.id) ? 'watching' : 'paused'));
    const message = record.paused ? undefined : (runtime?.message ?? (this.active.has(record.id) ? undefined : 'Not watched by this process.'));
    return { id: record.id, path: record.path, outDir: record.outDir, preset: record.preset, paused: record.paused, state, ...(message ? { message } : {}), createdAt: record.createdAt };
  }
}

/** The restore request of a watch folder's preset (inputs filled in per job). */
export function requestFor(record: WatchFolderRecord): RestoreRequest {
  return { ...presetJobSettings(record.preset), inputs: [], outDir: record.outDir, kind: 'watch', watchFolderId: record.id };
}

/** One line of a folder's recent activity, for the studio. */
export function toActivity(event: WatchEvent): WatchActivity | undefined {
  const at = Date.now();
  switch (event.type) {
    case 'watch':
      return { folderId: event.folderId, at: event.at, kind: event.kind, message: event.message, ...(event.file ? { file: event.file } : {}), ...(event.output ? { output: event.output } : {}) };
    case 'file-done':
      return { folderId: event.folderId, at, kind: 'done', file: event.file, output: event.output, message: `Restored ${basename(event.file)} (${event.width}x${event.height}).` };
    case 'file-failed':
      return { folderId: event.folderId, at, kind: 'failed', file: event.file, message: event.message };
    case 'file-skipped':
      return { folderId: event.folderId, at, kind: 'skipped', file: event.file, ...(event.output ? { output: event.output } : {}), message: `Skipped ${basename(event.file)}: ${event.reason}.` };
    default:
      return undefined;
  }
}

/** Calls a listener; its failure must not stop the watch. */
function deliver(call: () => void): void {
  try {
    call();
  } catch {
    // The listener's own problem.
  }
}
