import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { bundledModelsDir } from '../../src/core/app-paths.js';
import { SessionPool } from '../../src/core/inference/session-pool.js';
import { ModelRegistry } from '../../src/core/models/model-registry.js';
import { RestoreEngine, type RestoreEngineDeps } from '../../src/core/restore/restore-engine.js';
import { CalibrationStore } from '../../src/core/store/calibration-store.js';
import { openDatabase } from '../../src/core/store/database.js';
import { JobStore } from '../../src/core/store/job-store.js';
import type { RestoreEvent } from '../../src/shared/events.js';

export const PHOTOS = resolve('test/fixtures/photos');
export const photo = (name: string) => join(PHOTOS, name);

/** A real engine over the bundled models with its own data directory. */
export function testEngine(home: string, extra: Partial<RestoreEngineDeps> = {}) {
  const db = openDatabase(join(home, 'heirloom.db'));
  const models = new ModelRegistry(bundledModelsDir(), join(home, 'models'));
  const sessions = new SessionPool();
  const jobs = new JobStore(db);
  const calibration = new CalibrationStore(db);
  const engine = new RestoreEngine({ models, sessions, jobs, calibration, ...extra });
  return {
    engine,
    jobs,
    calibration,
    models,
    async dispose() {
      await sessions.dispose();
      db.close();
    },
  };
}

export interface CliRun {
  code: number | null;
  events: RestoreEvent[];
  stdout: string;
  stderr: string;
}

/** Runs the real `heirloom` command as a child process. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [resolve('bin/heirloom.mjs'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const events = args.includes('--json')
        ? stdout
            .split('\n')
            .filter((l) => l.trim())
            .map((l) => JSON.parse(l) as RestoreEvent)
        : [];
      resolvePromise({ code, events, stdout, stderr });
    });
  });
}
