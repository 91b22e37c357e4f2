import type { Command } from 'commander';
import { addJobSettingsOptions, jobSettingsFromOptions, type JobSettingsOptions } from '../job-settings-options.js';
import { runRestoreJob } from '../run-restore-job.js';

interface RestoreOptions extends JobSettingsOptions {
  out: string;
  json?: boolean;
  home?: string;
  redis?: string;
}

export function registerRestore(program: Command): void {
  const command = program
    .command('restore')
    .description('restore photos (files or folders, searched recursively) into an output folder')
    .argument('<inputs...>', 'photo files or folders')
    .requiredOption('-o, --out <dir>', 'output folder (created if missing)');
  addJobSettingsOptions(command)
    .option('--overwrite', 'replace existing outputs instead of choosing a free name (originals are never replaced)')
    .option('--json', 'machine-readable events on stdout, one JSON object per line')
    .option('--home <dir>', 'data directory (history, settings, models); default $HEIRLOOM_HOME or the app-data folder')
    .option('--redis <url>', 'send the job to a farm (heirloom worker on each machine) instead of restoring here; paths as every machine sees them')
    .action(async (inputs: string[], options: RestoreOptions) => {
      if (options.redis) {
        // The farm's queue client (BullMQ, ioredis) loads only for a farm job: a local restore starts without it.
        const [{ runFarmJob }, { farmUrl }] = await Promise.all([import('../run-farm-job.js'), import('./worker.js')]);
        await runFarmJob({ ...options, redisUrl: farmUrl(options.redis, 'restore') }, { inputs, outDir: options.out, settings: jobSettingsFromOptions({ ...options, overwrite: options.overwrite ?? false }) });
        return;
      }
      await runRestoreJob(options, () => ({ ...jobSettingsFromOptions({ ...options, overwrite: options.overwrite ?? false }), inputs, outDir: options.out }));
    });
}
