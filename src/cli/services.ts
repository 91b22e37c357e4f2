import { bundledModelsDir, homeLayout, resolveHome } from '../core/app-paths.js';
import { SessionPool } from '../core/inference/session-pool.js';
import { ModelRegistry } from '../core/models/model-registry.js';
import { openDatabase, type Db } from '../core/store/database.js';
import { JobStore } from '../core/store/job-store.js';
import { CalibrationStore } from '../core/store/calibration-store.js';
import { RestoreEngine } from '../core/restore/restore-engine.js';

/** The CLI's composition root: builds the core services once per command, disposes them after. */
export class CliServices {
  readonly home: string;
  readonly db: Db;
  readonly models: ModelRegistry;
  readonly sessions = new SessionPool();
  readonly jobs: JobStore;
  readonly calibration: CalibrationStore;
  readonly engine: RestoreEngine;

  constructor(homeOption?: string) {
    this.home = resolveHome(homeOption);
    const layout = homeLayout(this.home);
    this.db = openDatabase(layout.database);
    this.models = new ModelRegistry(bundledModelsDir(), layout.models);
    this.jobs = new JobStore(this.db);
    this.calibration = new CalibrationStore(this.db);
    this.engine = new RestoreEngine({ models: this.models, sessions: this.sessions, jobs: this.jobs, calibration: this.calibration });
  }

  async dispose(): Promise<void> {
    await this.sessions.dispose();
    this.db.close();
  }
}
