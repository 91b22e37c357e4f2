import { join } from 'node:path';
import type { HostKind } from '../../shared/contract-views.js';
import { homeLayout } from '../app-paths.js';
import { SessionPool } from '../inference/session-pool.js';
import { ModelRegistry } from '../models/model-registry.js';
import { DeviceService } from '../devices/device-service.js';
import { systemDiscoverySources } from '../devices/discovery-sources.js';
import { ProviderProbe } from '../devices/provider-probe.js';
import { RestoreEngine, type DeviceResolver } from '../restore/restore-engine.js';
import { DeviceSettingsStore } from '../store/device-settings-store.js';
import { CalibrationStore } from '../store/calibration-store.js';
import type { Db } from '../store/database.js';
import { HistoryDatabase } from '../store/history-database.js';
import { processLeases } from '../store/work-leases.js';
import { JobStore } from '../store/job-store.js';
import { recoverInterruptedJobs } from '../restore/job-recovery.js';
import { ProcessOwner } from '../restore/process-owner.js';
import { AppSettingsStore } from './app-settings-store.js';
import { deviceSettingsPort } from './device-settings-adapter.js';
import { PhotoCatalog, type ImageRenderer, type ImageUrlBuilder } from './photo-catalog.js';
import type { DeviceSettingsPort, DialogPort, ShellPort, WatchPort } from './ports.js';
import { StudioService } from './studio-service.js';
import { QueueJournal } from './queue-journal.js';

export interface StudioRuntimeOptions {
  /** The data directory (see resolveHome). */
  home: string;
  /** The bundled models folder (repository `models/`, or the packaged app's resources). */
  bundledModelsDir: string;
  host: HostKind;
  version: string;
  /** Default output folder; `<home>/restored` when absent. */
  defaultOutputDir?: string;
  imageUrl: ImageUrlBuilder;
  imageRenderer?: ImageRenderer;
  dialogs?: DialogPort;
  shell?: ShellPort;
  uploads?: boolean;
  /**
   * Device discovery and settings over this runtime's database. Default: the real
   * DeviceService (src/core/devices), as the CLI builds it; tests may pass their own.
   */
  devices?: (db: Db) => { settings: DeviceSettingsPort; resolver: DeviceResolver; dispose?(): void };
  watch?: (deps: { db: Db; engine: RestoreEngine }) => WatchPort & { dispose?(): Promise<void> | void };
  log?: (message: string, error?: unknown) => void;
}

/**
 * The core services the studio runs on, built once per process (Electron main or
 * `heirloom serve`) and disposed together. Mirrors the CLI's CliServices and adds the studio.
 */
export class StudioRuntime {
  readonly history: HistoryDatabase;
  readonly db: Db;
  readonly models: ModelRegistry;
  readonly sessions = new SessionPool();
  readonly jobs: JobStore;
  readonly calibration: CalibrationStore;
  readonly engine: RestoreEngine;
  readonly studio: StudioService;
  private readonly journal: QueueJournal;
  private readonly watch: (WatchPort & { dispose?(): Promise<void> | void }) | undefined;
  private readonly devices: { settings: DeviceSettingsPort; resolver: DeviceResolver; dispose?(): void };

  constructor(options: StudioRuntimeOptions) {
    const layout = homeLayout(options.home);
    this.history = new HistoryDatabase({ path: layout.database, backupsDir: layout.backups, appVersion: options.version, onBackupError: (error) => options.log?.('could not back up the history database', error) });
    this.db = this.history.db;
    try {
      this.models = new ModelRegistry(options.bundledModelsDir, layout.models);
      this.jobs = new JobStore(this.db, { jobFinished: () => this.history.jobFinished() });
      this.calibration = new CalibrationStore(this.db);
      const devices = (options.devices ?? systemDevices)(this.db);
      this.devices = devices;
      this.engine = new RestoreEngine({ models: this.models, sessions: this.sessions, jobs: this.jobs, calibration: this.calibration, devices: devices.resolver, leases: processLeases(this.db) });
      this.watch = options.watch?.({ db: this.db, engine: this.engine });
      this.journal = new QueueJournal(this.jobs);
      this.studio = new StudioService({
        host: options.host,
        version: options.version,
        home: options.home,
        defaultOutputDir: options.defaultOutputDir ?? join(options.home, 'restored'),
        runner: this.engine,
        history: this.jobs,
        models: this.models,
        appSettings: AppSettingsStore.inHome(options.home),
        photos: new PhotoCatalog(options.imageUrl, options.imageRenderer),
        devices: devices.settings,
        ...(this.watch ? { watch: this.watch } : {}),
        ...(options.dialogs ? { dialogs: options.dialogs } : {}),
        ...(options.shell ? { shell: options.shell } : {}),
        ...(options.uploads ? { uploads: true } : {}),
        ...(options.log ? { log: options.log } : {}),
        ...(this.history.notice ? { notices: [this.history.notice.message] } : {}),
        journal: this.journal,
      });
    } catch (error) {
      this.db.close();
      throw error;
    }
    // Unfinished restore jobs of a process that died (crash, power cut, kill) continue on launch;
    // watch-folder jobs are resumed by the watch service itself.
    void recoverInterruptedJobs(this.jobs, new ProcessOwner())
      .then(() => this.studio.resumeInterrupted(this.jobs.interruptedJobs({ kind: 'restore' }).filter((job) => !job.watchFolderId)))
      // Then the jobs that were still waiting in the queue.
      .then(() => this.studio.restoreQueued(this.journal.pending()))
      .catch((error: unknown) => options.log?.('could not resume interrupted jobs', error));
  }

  async dispose(): Promise<void> {
    await this.studio.dispose();
    await this.watch?.dispose?.();
    this.devices.dispose?.();
    await this.sessions.dispose();
    await this.history.close();
  }
}

/** The real devices: discovery and provider probes once per process, settings in SQLite. */
function systemDevices(db: Db): { settings: DeviceSettingsPort; resolver: DeviceResolver; dispose(): void } {
  const service = new DeviceService(new DeviceSettingsStore(db), systemDiscoverySources(new ProviderProbe().probe));
  return { settings: deviceSettingsPort(service), resolver: service, dispose: () => service.dispose() };
}
