import { homeLayout } from './app-paths.js';
import { SessionPool } from './inference/session-pool.js';
import { ModelRegistry } from './models/model-registry.js';
import { catalogPath } from './models/catalog/catalog-loader.js';
import { ModelManager } from './models/catalog/model-manager.js';
import type { ImportNcnnModelOptions } from './models/ncnn/import-ncnn-model.js';
import { DeviceService } from './devices/device-service.js';
import type { DeviceResolver } from './devices/device-resolver.js';
import { systemDiscoverySources } from './devices/discovery-sources.js';
import { ProviderProbe } from './devices/provider-probe.js';
import { cachedProbe, DiscoveryCache, discoveryFingerprint } from './devices/discovery-cache.js';
import { RestoreEngine } from './restore/restore-engine.js';
import { DeviceSettingsStore } from './store/device-settings-store.js';
import { CalibrationStore } from './store/calibration-store.js';
import type { Db } from './store/database.js';
import { HistoryDatabase } from './store/history-database.js';
import { processLeases } from './store/work-leases.js';
import { JobStore } from './store/job-store.js';

/** The devices a process restores on: a resolver for the engine, and whatever must be closed with it. */
export interface CoreDevices<Service> {
  resolver: DeviceResolver;
  service: Service;
  dispose?(): void;
}

export interface CoreServicesOptions<Service> {
  /** The data directory (see resolveHome). */
  home: string;
  /** This Heirloom's version (a history written by a newer one is refused, naming it). */
  appVersion: string;
  /** An automatic backup of the history could not be made (the job itself is fine). */
  onBackupError?: (error: unknown) => void;
  /** The bundled models folder (repository `models/`, or the packaged app's resources). */
  bundledModelsDir: string;
  /** Device discovery over this process's database; default: the real DeviceService. */
  devices?: (db: Db) => CoreDevices<Service>;
}

/**
 * The one composition root of core: the database, models, sessions, history, calibration,
 * devices and the restore engine, built once per process (a CLI command, the studio, a
 * farm worker) and disposed together in reverse order.
 */
export class CoreServices<Service = DeviceService> {
  readonly home: string;
  /** The history database: opened with damage recovery, backed up after jobs (history-database.ts). */
  readonly history: HistoryDatabase;
  readonly db: Db;
  readonly models: ModelRegistry;
  /** Downloads, imports and removals: the one model manager of the CLI's `models` commands and the studio's Models screen. */
  readonly modelManager: ModelManager;
  readonly sessions = new SessionPool();
  readonly jobs: JobStore;
  readonly calibration: CalibrationStore;
  readonly devices: CoreDevices<Service>;
  readonly engine: RestoreEngine;

  constructor(options: CoreServicesOptions<Service>) {
    this.home = options.home;
    const layout = homeLayout(options.home);
    this.history = new HistoryDatabase({ path: layout.database, backupsDir: layout.backups, appVersion: options.appVersion, ...(options.onBackupError ? { onBackupError: options.onBackupError } : {}) });
    this.db = this.history.db;
    try {
      this.models = new ModelRegistry(options.bundledModelsDir, layout.models);
      this.modelManager = new ModelManager({ registry: this.models, catalogPath: catalogPath(options.bundledModelsDir), importNcnn: importNcnnLazily });
      this.jobs = new JobStore(this.db, { jobFinished: () => this.history.jobFinished() });
      this.calibration = new CalibrationStore(this.db);
      this.devices = options.devices ? options.devices(this.db) : (systemDevices(this.db, options.home) as unknown as CoreDevices<Service>);
      this.engine = new RestoreEngine({ models: this.models, sessions: this.sessions, jobs: this.jobs, calibration: this.calibration, devices: this.devices.resolver, leases: processLeases(this.db) });
    } catch (error) {
      void this.history.close();
      throw error;
    }
  }

  async dispose(): Promise<void> {
    this.devices.dispose?.();
    await this.sessions.dispose();
    await this.history.close();
  }
}

/** The real devices: discovery and provider probes once per process (a probe costs a session open), settings in SQLite. */
export function systemDevices(db: Db, home?: string): CoreDevices<DeviceService> {
  // Discovery and probes are remembered for a few minutes in the data folder: a command's start does not pay for them each time.
  const cache = home === undefined ? undefined : new DiscoveryCache(homeLayout(home).deviceCache, discoveryFingerprint(process.env));
  const probe = new ProviderProbe().probe;
  const service = new DeviceService(new DeviceSettingsStore(db), systemDiscoverySources(cache ? cachedProbe(probe, cache) : probe), cache);
  return { resolver: service, service, dispose: () => service.dispose() };
}

/** The NCNN converter, loaded on first use: a restore never pays for loading it. */
async function importNcnnLazily(options: ImportNcnnModelOptions) {
  const { importNcnnModel } = await import('./models/ncnn/import-ncnn-model.js');
  return importNcnnModel(options);
}
