import { basename, isAbsolute, resolve } from 'node:path';
import { JobStartRequestSchema, MAX_JOB_INPUTS, type InvokeHandlers, type InvokeParsed } from '../../shared/contract.js';
import type { AppInfo, HistoryFile, HostCapabilities, HostKind, InspectedPath, JobSettingsView, JobTicket, ModelsOverview, ModelSummary, QueueSnapshot, WatchFolderView } from '../../shared/contract-views.js';
import { HeirloomError, toErrorInfo } from '../../shared/errors.js';
import { DEFAULT_MODEL_ID } from '../../shared/model-manifest.js';
import { collectInputs, type InputEntry } from '../fs/collect-inputs.js';
import { probeImage } from '../imaging/codec.js';
import type { RenderedImage } from '../imaging/preview.js';
import type { ModelManager } from '../models/catalog/model-manager.js';
import type { ModelRegistry } from '../models/model-registry.js';
import { jobSettingsOf, type RestoreRequest } from '../restore/restore-engine.js';
import { compactSettings, fadingStrengthSet, NO_UPSCALE_MODEL, parseStoredSettings, type StoredJobSettings } from '../../shared/job-settings.js';
import { resumeRequest } from '../restore/resume-request.js';
import type { JobFileRecord, JobRecord } from '../store/job-store.js';
import type { AppSettingsStore } from './app-settings-store.js';
import type { FarmSettingsStore } from './farm-settings-store.js';
import { FARM_KIND } from './farm-aware-runner.js';
import { toHistoryFiles, toHistoryJob } from './history-view.js';
import { saveEditedMask } from './edited-masks.js';
import type { EarlierRestore } from '../stages/repair-again-work.js';
import { createInvokeDispatcher, type InvokeDispatcher } from './invoke-dispatcher.js';
import { JobQueue } from './job-queue.js';
import { ModelDownloads } from './model-downloads.js';
import { toCatalogModelView, toModelSummary } from './model-views.js';
import type { ImageVariant, PhotoCatalog } from './photo-catalog.js';
import type { DeviceSettingsPort, DialogPort, HistoryPort, RestoreRunner, ShellPort, WatchPort } from './ports.js';
import type { PendingEntry, QueueJournalPort } from './queue-journal.js';
import { ChangeCoalescer, RestoreEventThrottle, systemClock, type TimerClock } from './restore-event-throttle.js';
import { StudioEvents } from './studio-events.js';

export interface StudioServiceOptions {
  host: HostKind;
  version: string;
  home: string;
  /** Where photos go when neither the request nor the app settings name a folder. */
  defaultOutputDir: string;
  runner: RestoreRunner;
  history: HistoryPort;
  models: Pick<ModelRegistry, 'list' | 'get'>;
  /** The CLI's model manager (CoreServices.modelManager): the Models screen's downloads, imports and removals. */
  modelManager?: Pick<ModelManager, 'catalog' | 'download' | 'importPaths' | 'remove' | 'removable'>;
  appSettings: AppSettingsStore;
  photos: PhotoCatalog;
  devices?: DeviceSettingsPort;
  watch?: WatchPort;
  dialogs?: DialogPort;
  shell?: ShellPort;
  /** The Farm setting and the farm's workers (issue #18). */
  farm?: FarmSettingsStore;
  /** The host accepts uploads of dropped files (serve). */
  uploads?: boolean;
  /** Minimum time between progress updates sent to the page (default 100 ms: about 10 a second). */
  progressIntervalMs?: number;
  clock?: TimerClock;
  /** Where listener errors go (a broken bridge must not stop the queue). */
  log?: (message: string, error?: unknown) => void;
  /** Start-up notices for the user (app:info carries them): a damaged history database replaced. */
  notices?: string[];
  /** Records queued jobs before they are shown, so a restart brings them back (QueueJournal over the history). */
  journal?: QueueJournalPort;
}

/** History statuses that Resume applies to. */
const RESUMABLE: ReadonlySet<string> = new Set(['interrupted', 'cancelled', 'finished-with-errors', 'failed']);

/** The settings a queue item shows, from a request. */
function settingsViewOf(request: RestoreRequest): JobSettingsView {
  return { outDir: request.outDir, ...jobSettingsOf(request) };
}

/** Outputs searched when the page asks to open a file (the history's newest jobs). */
const OPENABLE_HISTORY_JOBS = 500;
/** Photos added one by one (a multi-selection) are listed up to here. */
const MAX_INSPECTED = 10_000;
/** A folder with more photos than this is added whole, as one draft item, rather than photo by photo. */
const FOLDER_SHOWN_ONE_BY_ONE = 100;
/** Photos a whole folder's draft item shows. */
const FOLDER_PREVIEWS = 4;

/**
 * The studio: every invoke handler of the contract over the core services, the job queue,
 * and the event channels (progress throttled). Electron main (ipcMain) and `heirloom serve`
 * (WebSocket) are thin adapters around one instance of this class.
 */
export class StudioService {
  readonly events: StudioEvents;
  readonly handlers: InvokeHandlers;
  readonly dispatch: InvokeDispatcher;
  private readonly queue: JobQueue;
  private readonly throttle: RestoreEventThrottle;
  private readonly queueChanged: ChangeCoalescer;
  private readonly unsubscribeWatch: (() => void) | undefined;
  private readonly downloads: ModelDownloads | undefined;

  constructor(private readonly options: StudioServiceOptions) {
    const log = options.log ?? (() => {});
    const clock = options.clock ?? systemClock;
    const interval = options.progressIntervalMs ?? 100;
    this.events = new StudioEvents((error) => log('An event listener failed', error));
    this.throttle = new RestoreEventThrottle((event) => this.events.emit('jobs:event', event), interval, clock);
    this.queueChanged = new ChangeCoalescer(() => this.events.emit('jobs:queue-changed', this.queue.snapshot()), interval, clock);
    this.queue = new JobQueue({
      runner: options.runner,
      photoRef: (path) => options.photos.ref(path),
      onEvent: (event) => this.throttle.push(event),
      onChange: () => this.queueChanged.changed(),
      ...(options.journal ? { journal: options.journal } : {}),
      log,
    });
    this.unsubscribeWatch = options.watch?.onActivity((activity) => this.events.emit('watch:event', activity));
    if (options.modelManager) {
      this.downloads = new ModelDownloads({
        manager: options.modelManager,
        onUpdate: (view) => this.events.emit('models:download', view),
        onInstalled: () => void this.modelsChanged().catch((error: unknown) => log('could not list the models after a download', error)),
        intervalMs: interval,
        clock,
      });
    }
    this.handlers = this.buildHandlers();
    this.dispatch = createInvokeDispatcher(this.handlers);
  }

  get capabilities(): HostCapabilities {
    return {
      dialogs: this.options.dialogs !== undefined,
      shell: this.options.shell !== undefined,
      uploads: this.options.uploads ?? false,
      devices: this.options.devices !== undefined,
      watch: this.options.watch !== undefined,
    };
  }

  /** Image bytes for a granted id (the image route / protocol calls this). */
  renderImage(grantId: string, variant: ImageVariant): Promise<RenderedImage> {
    return this.options.photos.render(grantId, variant);
  }

  /** Lets the page see a file the host received for it (an upload into the inbox). */
  grantPhoto(path: string): void {
    this.options.photos.ref(path);
  }

  /** Resolves when the queue has nothing running or waiting. */
  whenIdle(): Promise<void> {
    return this.queue.whenIdle();
  }

  async dispose(): Promise<void> {
    await this.downloads?.dispose();
    await this.queue.dispose();
    this.throttle.dispose();
    this.queueChanged.dispose();
    this.unsubscribeWatch?.();
    this.events.clear();
  }

  private buildHandlers(): InvokeHandlers {
    return {
      'app:info': () => this.appInfo(),
      'jobs:start': (request) => this.startJob(request),
      'jobs:cancel': async ({ queueId }) => {
        const state = this.queue.cancel(queueId);
        if (!state) throw new HeirloomError('NOT_FOUND', `No job ${queueId} is in the queue (it may have been cleared). Reload the page to see the current queue.`);
        return { state };
      },
      'jobs:pause': async () => {
        this.queue.pause();
        return this.snapshot();
      },
      'jobs:resume': async () => {
        this.queue.resume();
        return this.snapshot();
      },
      'jobs:queue': async () => this.snapshot(),
      'jobs:clear-finished': async () => {
        this.queue.clearFinished();
        return this.snapshot();
      },
      'jobs:history': async ({ limit, status, filesPerJob }) =>
        this.options.history.listJobs({ limit: limit ?? 50, ...(status ? { status } : {}), ...(filesPerJob ? { filesPerJob } : {}) }).map((job) => toHistoryJob(job, (path) => this.options.photos.ref(path))),
      'jobs:history-files': async ({ jobId, from, limit }) => this.historyFiles(jobId, from, limit),
      'jobs:rerun': ({ jobId }) => this.rerun(jobId),
      'jobs:continue': async ({ jobId }) => this.continueJob(jobId),
      'jobs:repair-again': (request) => this.repairAgain(request),
      'models:list': () => this.modelSummaries(),
      'models:overview': () => this.modelsOverview(),
      'models:download': ({ id, trustUnverified }) => this.modelDownloads().start(id, trustUnverified ? { trustUnverified } : {}),
      'models:cancel-download': ({ id }) => this.modelDownloads().cancel(id),
      'models:import': async ({ paths, id, name, overwrite }) => {
        const manager = this.modelManager();
        for (const path of paths) {
          if (!isAbsolute(path)) throw new HeirloomError('USAGE', `"${path}" is not a full path. Choose the model file, or type its whole path (like /home/you/Models/face.onnx).`, { file: path });
        }
        const model = await manager.importPaths(paths, { ...(id ? { id } : {}), ...(name ? { name } : {}), ...(overwrite ? { overwrite } : {}) });
        await this.modelsChanged();
        return toModelSummary(model, manager.removable(model));
      },
      'models:remove': async ({ id }) => {
        await this.modelManager().remove(id);
        return this.modelsChanged();
      },
      'devices:list': () => this.devices().list(),
      'settings:get': ({ deviceId }) => this.devices().get(deviceId),
      'settings:set': async ({ deviceId, settings }) => {
        const devices = this.devices();
        const updated = await devices.update(deviceId, settings);
        this.events.emit('devices:changed', await devices.list());
        return updated;
      },
      'app-settings:get': () => this.options.appSettings.get(),
      'app-settings:set': (patch) => this.options.appSettings.update(patch),
      'watch:list': () => this.watch().list(),
      'watch:add': async (folder) => this.afterWatchChange(() => this.watch().add(folder)),
      'watch:pause': async ({ id }) => this.afterWatchChange(() => this.watch().pause(id)),
      'watch:resume': async ({ id }) => this.afterWatchChange(() => this.watch().resume(id)),
      'watch:remove': async ({ id }) => this.afterWatchChange(() => this.watch().remove(id)),
      'files:inspect': ({ paths }) => this.inspect(paths),
      'dialogs:open-photos': async ({ mode }) => ({ paths: await this.dialogs().openPhotos(mode) }),
      'dialogs:choose-folder': async ({ title, defaultPath }) => ({
        path: await this.dialogs().chooseFolder({ ...(title ? { title } : {}), ...(defaultPath ? { defaultPath } : {}) }),
      }),
      'dialogs:open-model-files': async () => ({ paths: await this.dialogs().openModelFiles() }),
      'farm:get': () => this.farm().view(),
      'farm:set': ({ url }) => this.farm().set(url),
      'farm:status': () => this.farm().status(),
      'shell:open-path': async ({ path, action }) => {
        const shell = this.shell();
        const file = resolve(path);
        if (!this.isKnownOutput(file)) {
          throw new HeirloomError('PERMISSION_DENIED', `${file} is not an output of a job in the history, so Heirloom will not open it. Open it from your file manager instead.`, { file });
        }
        if (action === 'reveal') shell.showInFolder(file);
        else await shell.openPath(file);
        return null;
      },
    };
  }

  private async appInfo(): Promise<AppInfo> {
    const settings = await this.options.appSettings.get();
    return {
      version: this.options.version,
      host: this.options.host,
      home: this.options.home,
      defaultOutputDir: settings.outputDir ?? this.options.defaultOutputDir,
      capabilities: this.capabilities,
      ...(this.options.notices?.length ? { notices: [...this.options.notices] } : {}),
    };
  }

  private async modelSummaries(): Promise<ModelSummary[]> {
    const manager = this.options.modelManager;
    return (await this.options.models.list()).map((model) => toModelSummary(model, manager?.removable(model) ?? false));
  }

  /** Tells every page the installed models changed, and returns them. */
  private async modelsChanged(): Promise<ModelSummary[]> {
    const models = await this.modelSummaries();
    this.events.emit('models:changed', models);
    return models;
  }

  private async modelsOverview(): Promise<ModelsOverview> {
    const installed = await this.modelSummaries();
    const downloads = this.modelDownloads().list();
    try {
      const ids = new Set(installed.map((m) => m.id));
      const catalog = (await this.modelManager().catalog()).models.map((entry) => toCatalogModelView(entry, ids.has(entry.id)));
      return { installed, catalog, downloads };
    } catch (error) {
      return { installed, catalog: [], downloads, catalogError: toErrorInfo(error) };
    }
  }

  private snapshot(): QueueSnapshot {
    return this.queue.snapshot();
  }

  /** A page of a history job's photos, granted to the page like the rest of History. */
  private historyFiles(jobId: string, from: number, limit: number): HistoryFile[] {
    const job = this.options.history.getJob(jobId, { filesPerJob: 0 });
    if (!job) throw new HeirloomError('NOT_FOUND', `Job ${jobId} is not in the history. Reload the History page.`);
    return toHistoryFiles(job.settings, this.options.history.jobFiles(jobId, from, limit), (path) => this.options.photos.ref(path));
  }

  private async startJob(request: InvokeParsed<'jobs:start'> & { maskFile?: string; repairAgainOf?: EarlierRestore }, redo = false): Promise<JobTicket> {
    const app = await this.options.appSettings.get();
    const outDir = resolve(request.outDir ?? app.outputDir ?? this.options.defaultOutputDir);
    const { inputs: _inputs, outDir: _outDir, farm, repairAgainOf, ...asked } = request;
    const jobSettings = compactSettings({ ...asked, modelId: request.modelId ?? app.modelId ?? DEFAULT_MODEL_ID, tile: request.tile ?? 'auto', batch: request.batch ?? 'auto', format: request.format ?? app.format, quality: request.quality ?? app.quality });
    // An unknown model fails here, with the installed list, not later in the queue.
    if (jobSettings.modelId !== NO_UPSCALE_MODEL) await this.options.models.get(jobSettings.modelId!);
    for (const input of request.inputs) {
      if (!isAbsolute(input)) throw new HeirloomError('USAGE', `"${input}" is not a full path. Add photos with the buttons, by dropping them, or type a full path (like /home/you/Pictures/old).`, { file: input });
    }
    const entries = await collectInputs(request.inputs, { exclude: [outDir] });
    if (entries.length === 0) {
      throw new HeirloomError('NOT_FOUND', `No photos were found in ${request.inputs.length === 1 ? request.inputs[0] : 'the folders you added'}. Add JPEG, PNG, TIFF or WebP photos, or folders that contain them.`);
    }
    const settings: JobSettingsView = { outDir, ...jobSettings };
    const restore: RestoreRequest = {
      ...jobSettings,
      inputs: request.inputs,
      outDir,
      maxPixels: app.maxPixels,
      // The app setting "keep photo metadata" (EXIF, XMP, IPTC, ICC) decides for every job.
      stripMetadata: !app.keepMetadata,
      // A re-run asks for new outputs; any other job skips photos already restored with these settings.
      ...(redo ? { redo: true } : {}),
      // "Send to the farm": the studio's runner sends it there (farm-aware-runner.ts).
      ...(farm ? { kind: FARM_KIND } : {}),
      ...(repairAgainOf ? { repairAgainOf } : {}),
    };
    const item = this.queue.enqueue({ request: restore, settings, files: entries.map((e) => e.path) });
    return { queueId: item.id, files: item.photos.total };
  }

  /**
   * On launch: restore jobs that a crash or kill left unfinished go back in the queue and
   * continue where they stopped (their done photos are kept, not redone).
   */
  async resumeInterrupted(jobs: JobRecord[]): Promise<number> {
    let resumed = 0;
    for (const job of jobs) {
      try {
        const request = resumeRequest(job);
        const unfinished = await unfinishedPhotos(job, request);
        if (unfinished.length === 0) continue;
        this.queue.enqueue({ request, settings: settingsViewOf(request), files: unfinished });
        resumed++;
      } catch (error) {
        this.options.log?.(`could not resume job ${job.id}`, error);
      }
    }
    return resumed;
  }

  /** On launch: the jobs that were waiting in the queue when the app last stopped (or crashed) go back in it. */
  restoreQueued(entries: PendingEntry[]): number {
    let restored = 0;
    for (const entry of entries) {
      try {
        this.queue.enqueue(entry);
        restored++;
      } catch (error) {
        this.options.log?.(`could not put queued job ${entry.recordId} back in the queue`, error);
      }
    }
    return restored;
  }

  /**
   * History's Resume: a job that was interrupted, cancelled, or finished with failures goes
   * back in the queue with its own settings; its restored photos are kept, the others run.
   */
  private async continueJob(jobId: string): Promise<JobTicket> {
    const job = this.options.history.getJob(jobId);
    if (!job) throw new HeirloomError('NOT_FOUND', `Job ${jobId} is not in the history. Reload the History page.`);
    if (!RESUMABLE.has(job.status)) throw new HeirloomError('USAGE', `Job ${jobId} is ${job.status}: there is nothing to resume. Use Re-run to restore its photos again.`);
    if (this.queue.hasJob(jobId)) throw new HeirloomError('USAGE', `Job ${jobId} is already in the queue.`);
    const request = resumeRequest(job);
    const files = await unfinishedPhotos(job, request);
    const item = this.queue.enqueue({ request, settings: settingsViewOf(request), files });
    return { queueId: item.id, files: item.photos.total };
  }

  /** Queues a job from the history again: the same photos and settings, new outputs next to the old. */
  private async rerun(jobId: string): Promise<JobTicket> {
    return this.startJob(this.rerunRequest(this.storedJob(jobId)), true);
  }

  /**
   * "Repair again": one photo of a job, with the job's settings and the mask the user
   * edited (kept under <home>/masks and recorded in the new job's settings). The repair
   * stage uses that mask instead of the detector; the new output goes beside the earlier
   * one ("name (1).png"), never over it. Given the earlier output, only what the edit
   * changes is recomputed (src/core/stages/repair-again-work.ts).
   */
  private async repairAgain({ jobId, input, maskPng }: InvokeParsed<'jobs:repair-again'>): Promise<JobTicket> {
    const photo = resolve(input);
    // The job without its photos, and the one photo looked up: a job may have 100,000.
    const stored = this.storedJob(jobId, { filesPerJob: 0 });
    const request = this.rerunRequest(stored, [photo]);
    const file = this.options.history.findFile(jobId, photo);
    if (!file) throw new HeirloomError('NOT_FOUND', `${input} is not one of job ${jobId}'s photos. Open the photo from that job in Compare and repair it again there.`, { file: input });
    const maskFile = await saveEditedMask(this.options.home, photo, maskPng);
    const repairAgainOf = earlierRestore(stored.settings, file);
    return this.startJob({ ...request, scratches: true, saveMasks: true, maskFile, ...(repairAgainOf ? { repairAgainOf } : {}) }, true);
  }

  /** A job of the history with its settings read, or NOT_FOUND / INVALID_SETTING saying what to do. */
  private storedJob(jobId: string, options: { filesPerJob?: number } = {}): { job: JobRecord; settings: StoredJobSettings } {
    const job = this.options.history.getJob(jobId, options);
    if (!job) throw new HeirloomError('NOT_FOUND', `Job ${jobId} is not in the history. Reload the History page.`);
    const stored = parseStoredSettings(job.settings);
    if ('error' in stored) throw new HeirloomError('INVALID_SETTING', `Job ${jobId}'s settings in the history cannot be read (${stored.error}). Start a new job with the same photos instead.`);
    return { job, settings: stored.settings };
  }

  /** A job's settings from the history as a new studio request (what it asked for, not how the run was tuned), for its photos or `only` these. */
  private rerunRequest({ job, settings }: { job: JobRecord; settings: StoredJobSettings }, only?: string[]): InvokeParsed<'jobs:start'> & { maskFile?: string } {
    const jobId = job.id;
    // What the studio asks for; how a run was tuned (threads, provider, limits) is the app's and the device's to decide again.
    const { inputs, outDir, maxPixels: _maxPixels, stripMetadata: _strip, overwrite: _overwrite, provider: _provider, threads: _threads, deviceId: _device, damageModel: _damageModel, fadingMethod: _fadingMethod, maskFile, ...asked } = settings;
    const candidate = {
      ...asked,
      // The very photos it restored; a job of more than a request can name (a folder added whole) by the folders it was given.
      inputs: only ?? (job.files.length > 0 && job.files.length <= MAX_JOB_INPUTS ? job.files.map((f) => f.inputPath) : inputs),
      outDir,
      modelId: job.modelId,
      // A job that shared the queue across devices ran on "a,b": let the engine choose again.
      ...(job.deviceId && !job.deviceId.includes(',') ? { deviceId: job.deviceId } : {}),
    };
    if (candidate.inputs.length > MAX_JOB_INPUTS) {
      throw new HeirloomError('USAGE', `Job ${jobId} restored ${candidate.inputs.length.toLocaleString('en')} photos named one by one, more than the studio sends in one job (${MAX_JOB_INPUTS.toLocaleString('en')}). Re-run it with "heirloom restore", or add their folder here.`);
    }
    const parsed = JobStartRequestSchema.safeParse(candidate);
    if (!parsed.success) {
      throw new HeirloomError('INVALID_SETTING', `Job ${jobId} was stored with settings this version cannot re-use (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}). Start a new job with the same photos instead.`);
    }
    // A job repaired with an edited mask is re-run with the same mask (the page never sends a mask path).
    return { ...parsed.data, ...(maskFile ? { maskFile } : {}) };
  }

  private async inspect(paths: string[]): Promise<InspectedPath[]> {
    const app = await this.options.appSettings.get();
    const result: InspectedPath[] = [];
    const absolute: string[] = [];
    for (const path of paths) {
      if (isAbsolute(path)) absolute.push(path);
      else result.push({ ok: false, path, name: path, error: { code: 'USAGE', message: `"${path}" is not a full path. Type the whole path, like /home/you/Pictures/old.jpg.` } });
    }
    // Each path listed once: a folder with more photos than the draft shows one by one is added
    // whole (the job lists it again as it goes); the photos of the rest are read one by one.
    const entries: InputEntry[] = [];
    const seen = new Set<string>();
    for (const path of absolute) {
      const listed = await collectInputs([path]);
      const photos = listed.filter((e) => !e.error);
      if (photos.length > FOLDER_SHOWN_ONE_BY_ONE) {
        result.push({ ok: true, kind: 'folder', path, name: basename(path) || path, photos: photos.length, previews: photos.slice(0, FOLDER_PREVIEWS).map((e) => this.options.photos.ref(e.path)) });
        continue;
      }
      for (const entry of listed) {
        if (seen.has(entry.path)) continue;
        seen.add(entry.path);
        entries.push(entry);
      }
    }
    for (const entry of entries.slice(0, MAX_INSPECTED)) {
      const name = entry.path.split(/[\\/]/).pop() ?? entry.path;
      if (entry.error) {
        result.push({ ok: false, path: entry.path, name, error: { code: entry.error.code, message: entry.error.message } });
        continue;
      }
      try {
        await probeImage(entry.path, { maxPixels: app.maxPixels });
        result.push({ ok: true, ...this.options.photos.ref(entry.path) });
      } catch (error) {
        const info = toErrorInfo(error, { file: entry.path, code: 'DECODE_FAILED' });
        result.push({ ok: false, path: entry.path, name, error: { code: info.code, message: info.message } });
      }
    }
    if (entries.length > MAX_INSPECTED) {
      result.push({ ok: false, path: '', name: `${entries.length - MAX_INSPECTED} more`, error: { code: 'USAGE', message: `Only the first ${MAX_INSPECTED} photos were added one by one. Add their folder instead: a folder is restored whole, as one job.` } });
    }
    return result;
  }

  private isKnownOutput(file: string): boolean {
    if (this.queue.hasOutput(file)) return true;
    return this.options.history.wroteRecently(file, OPENABLE_HISTORY_JOBS);
  }

  private async afterWatchChange(change: () => Promise<void>): Promise<WatchFolderView[]> {
    await change();
    return this.watch().list();
  }

  private modelManager(): NonNullable<StudioServiceOptions['modelManager']> {
    if (!this.options.modelManager) throw new HeirloomError('USAGE', 'Downloading and importing models is not available in this build of Heirloom. Use "heirloom models" instead.');
    return this.options.modelManager;
  }

  private modelDownloads(): ModelDownloads {
    this.modelManager();
    return this.downloads!;
  }

  private devices(): DeviceSettingsPort {
    if (!this.options.devices) throw new HeirloomError('USAGE', 'Device settings are not available in this build of Heirloom (device discovery is not wired). Use "auto" settings for now.');
    return this.options.devices;
  }

  private farm(): FarmSettingsStore {
    if (!this.options.farm) throw new HeirloomError('USAGE', 'The farm is not available in this build of Heirloom.');
    return this.options.farm;
  }

  private watch(): WatchPort {
    if (!this.options.watch) throw new HeirloomError('USAGE', 'Watch folders are not available in this build of Heirloom.');
    return this.options.watch;
  }

  private dialogs(): DialogPort {
    if (!this.options.dialogs) throw new HeirloomError('USAGE', 'File dialogs exist only in the desktop app. In the browser, drop photos on the page, use "Add photos", or type a full path.');
    return this.options.dialogs;
  }

  private shell(): ShellPort {
    if (!this.options.shell) throw new HeirloomError('USAGE', 'Opening files works only in the desktop app. The path is shown next to the photo; open it from your file manager.');
    return this.options.shell;
  }
}

/**
 * The photos a resumed job still has to report on, for the queue: its rows not done or
 * skipped and, when it stopped before its folders were all listed, what the listing finds
 * now (the job lists them again as it runs).
 */
async function unfinishedPhotos(job: JobRecord, request: RestoreRequest): Promise<string[]> {
  const finished = new Set(job.files.filter((f) => f.status === 'done' || f.status === 'skipped').map((f) => f.inputPath));
  const listed = job.listed === false ? (await collectInputs(request.inputs, { exclude: [resolve(request.outDir)] })).map((e) => e.path) : [];
  return [...new Set([...job.files.map((f) => f.inputPath), ...listed])].filter((path) => !finished.has(path));
}

/** What the history says of a photo's earlier result: its output and fingerprint, and how its job (these settings) repaired it. */
function earlierRestore(settings: StoredJobSettings, file: JobFileRecord): EarlierRestore | undefined {
  if (file.status !== 'done' || !file.outputPath) return undefined;
  return compactSettings({
    output: file.outputPath,
    outputSha256: file.outputSha256 ?? undefined,
    scratches: settings.scratches === true,
    maskFile: settings.maskFile,
    saveMasks: settings.saveMasks === true,
    damageModel: settings.damageModel,
    fading: settings.fading === true,
    fadingStrength: fadingStrengthSet(settings),
    fadingMethod: settings.fadingMethod,
    faces: settings.faces !== undefined,
  });
}
