import { join } from 'node:path';
import type { HostKind } from '../../shared/contract-views.js';
import { CoreServices, systemDevices, type CoreDevices } from '../core-services.js';
import type { RestoreEngine } from '../restore/restore-engine.js';
import type { Db } from '../store/database.js';
import { FarmSettingsStore } from './farm-settings-store.js';
import { FarmAwareRunner } from './farm-aware-runner.js';
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
  devices?: (db: Db) => CoreDevices<DeviceSettingsPort>;
  watch?: (deps: { db: Db; engine: RestoreEngine }) => WatchPort & { dispose?(): Promise<void> | void };
  log?: (message: string, error?: unknown) => void;
}

/**
 * The studio over core's composition root (CoreServices, the same the CLI uses), built once
 * per process (Electron main or `heirloom serve`) and disposed together.
 */
export class StudioRuntime {
  readonly core: CoreServices<DeviceSettingsPort>;
  readonly studio: StudioService;
  private readonly journal: QueueJournal;
  private readonly watch: (WatchPort & { dispose?(): Promise<void> | void }) | undefined;

  constructor(options: StudioRuntimeOptions) {
    this.core = new CoreServices<DeviceSettingsPort>({ home: options.home, bundledModelsDir: options.bundledModelsDir, appVersion: options.version, onBackupError: (error) => options.log?.('could not back up the history database', error), devices: options.devices ?? studioDevices });
    const { db, engine, jobs, models, modelManager } = this.core;
    try {
      const farm = FarmSettingsStore.inHome(options.home);
      this.watch = options.watch?.({ db, engine });
      this.journal = new QueueJournal(jobs);
      this.studio = new StudioService({
        host: options.host,
        version: options.version,
        home: options.home,
        defaultOutputDir: options.defaultOutputDir ?? join(options.home, 'restored'),
        runner: new FarmAwareRunner(engine, farm, jobs),
        history: jobs,
        models,
        modelManager,
        appSettings: AppSettingsStore.inHome(options.home),
        farm,
        photos: new PhotoCatalog(options.imageUrl, options.imageRenderer),
        devices: this.core.devices.service,
        ...(this.watch ? { watch: this.watch } : {}),
        ...(options.dialogs ? { dialogs: options.dialogs } : {}),
        ...(options.shell ? { shell: options.shell } : {}),
        ...(options.uploads ? { uploads: true } : {}),
        ...(options.log ? { log: options.log } : {}),
        ...(this.core.history.notice ? { notices: [this.core.history.notice.message] } : {}),
        journal: this.journal,
      });
    } catch (error) {
      void this.core.dispose();
      throw error;
    }
    // Unfinished restore jobs of a process that died (crash, power cut, kill) continue on launch;
    // watch-folder jobs are resumed by the watch service itself.
    void engine.recovery
      .once()
      .then(() => this.studio.resumeInterrupted(jobs.interruptedJobs({ kind: 'restore' }).filter((job) => !job.watchFolderId)))
      // Then the jobs that were still waiting in the queue.
      .then(() => this.studio.restoreQueued(this.journal.pending()))
      .catch((error: unknown) => options.log?.('could not resume interrupted jobs', error));
  }

  get db(): Db {
    return this.core.db;
  }

  get engine(): RestoreEngine {
    return this.core.engine;
  }

  async dispose(): Promise<void> {
    await this.studio.dispose();
    await this.watch?.dispose?.();
    await this.core.dispose();
  }
}

/** The real devices, seen through the studio's settings port. */
function studioDevices(db: Db): CoreDevices<DeviceSettingsPort> {
  const devices = systemDevices(db);
  return { ...devices, service: deviceSettingsPort(devices.service) };
}
