import type { Command } from 'commander';
import { intInRange } from '../options.js';
import { CliServices } from '../services.js';

export function registerHistory(program: Command): void {
  program
    .command('history')
    .description('past jobs, newest first, with their files')
    .option('-n, --limit <n>', 'how many jobs', intInRange('--limit', 1, 100_000), 20)
    .option('--json', 'one job per line as JSON, with its files and their statuses')
    .option('--home <dir>', 'data directory')
    .action(async (options: { limit: number; json?: boolean; home?: string }) => {
      const services = new CliServices(options.home);
      try {
        const jobs = services.jobs.listJobs({ limit: options.limit });
        for (const job of jobs) {
          if (options.json) {
            process.stdout.write(`${JSON.stringify(job)}\n`);
            continue;
          }
          const when = new Date(job.createdAt).toLocaleString();
          process.stdout.write(`${job.id}  ${when}  ${job.status}  ${job.modelId}  ${job.succeeded} ok, ${job.failed} failed${job.skipped ? `, ${job.skipped} skipped` : ''}${job.ms !== null ? `  ${(job.ms / 1000).toFixed(1)} s` : ''}\n`);
          for (const f of job.files) {
            process.stdout.write(`    ${f.status.padEnd(9)} ${f.inputPath}${f.outputPath ? ` -> ${f.outputPath}` : ''}${f.errorCode ? `  [${f.errorCode}] ${f.errorMessage}` : ''}\n`);
          }
        }
        if (jobs.length === 0 && !options.json) process.stdout.write('No jobs yet.\n');
      } finally {
        await services.dispose();
      }
    });
}
