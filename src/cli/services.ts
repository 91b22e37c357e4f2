import { bundledModelsDir, homeLayout, resolveHome } from '../core/app-paths.js';
import { SessionPool } from '../core/inference/session-pool.js';
import { ModelRegistry } from '../core/models/model-registry.js';
import type { Db } from '../core/store/database.js';
import { HistoryDatabase } from '../core/store/history-database.js';
import { processLeases } from '../core/store/work-leases.js';
import type { DatabaseNotice } from '../core/store/database-recovery.js';
import { packageVersion } from '../core/app-version.js';
import { toErrorInfo } from '../shared/errors.js';
import { JobStore } from '../core/store/job-store.js';
import { CalibrationStore } from '../core/store/calibration-store.js';
import { RestoreEngine } from '../core/restore/restore-engine.js';
import { DeviceService } from '../core/devices/device-service.js';
import { systemDiscoverySources } from '../core/devices/discovery-sources.js';
import { ProviderProbe } from '../core/devices/provider-probe.js';
import { DeviceSettingsStore } from '../core/store/device-settings-store.js';

/** The CLI's composition root: builds the core services once per command, disposes them after. */
export class CliServices {
  readonly home: string;
  readonly history: HistoryDatabase;
  readonly db: Db;
  readonly models: ModelRegistry;
  readonly sessions = new SessionPool();
  readonly jobs: JobStore;
  readonly calibration: CalibrationStore;
  readonly devices: DeviceService;
  readonly engine: RestoreEngine;

  /** `onNotice`: a damaged history database was replaced (default: a warning line on stderr). */
  constructor(homeOption?: string, onNotice: (notice: DatabaseNotice) => void = printNotice) {
    this.home = resolveHome(homeOption);
    const layout = homeLayout(this.home);
    this.history = new HistoryDatabase({ path: layout.database, backupsDir: layout.backups, appVersion: packageVersion(), onBackupError: printBackupError });
    this.db = this.history.db;
    if (this.history.notice) onNotice(this.history.notice);
    this.models = new ModelRegistry(bundledModelsDir(), layout.models);
    this.jobs = new JobStore(this.db, { jobFinished: () => this.history.jobFinished() });
    this.calibration = new CalibrationStore(this.db);
    // One prober per process: a provider probe costs a session open, so its answer is kept.
    this.devices = new DeviceService(new DeviceSettingsStore(this.db), systemDiscoverySources(new ProviderProbe().probe));
    this.engine = new RestoreEngine({ models: this.models, sessions: this.sessions, jobs: this.jobs, calibration: this.calibration, devices: this.devices, leases: processLeases(this.db) });
  }

  async dispose(): Promise<void> {
    this.devices.dispose();
    await this.sessions.dispose();
    await this.history.close();
  }
}

function printNotice(notice: DatabaseNotice): void {
  process.stderr.write(`warning: ${notice.message}\n`);
}

function printBackupError(error: unknown): void {
  process.stderr.write(`warning: ${toErrorInfo(error).message}\n`);
}
