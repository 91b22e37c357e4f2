import type { Command } from 'commander';
import { HeirloomError } from '../../shared/errors.js';
import { resumeRequest } from '../../core/restore/resume-request.js';
import { runRestoreJob } from '../run-restore-job.js';

/**
 * `heirloom resume <jobId>`: continues a job with its own settings. Its queued and running
 * photos (a crash or kill), cancelled ones (Ctrl+C) and failed ones whose failure may pass
 * (out of memory, a device, a full disk, a file that was unplugged) are restored; photos
 * that failed because of their content are tried again only if the file changed. Photos
 * restored since by another job with the same settings are skipped with that output.
 */
export function registerResume(program: Command): void {
  program
    .command('resume')
    .description('continue an interrupted or cancelled job (see "heirloom history") with its own settings')
    .argument('<jobId>', 'the job to continue')
    .option('--json', 'machine-readable events on stdout, one JSON object per line')
    .option('--home <dir>', 'data directory (history, settings, models); default $HEIRLOOM_HOME or the app-data folder')
    .action(async (jobId: string, options: { json?: boolean; home?: string }) => {
      await runRestoreJob(options, (services) => {
        const job = services.jobs.getJob(jobId);
        if (!job) throw new HeirloomError('NOT_FOUND', `There is no job ${jobId} in the history. List jobs with "heirloom history".`);
        return resumeRequest(job);
      });
    });
}
