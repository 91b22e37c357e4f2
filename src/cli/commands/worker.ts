import type { Command } from 'commander';
import { HeirloomError } from '../../shared/errors.js';
import { redactRedisUrl } from '../../shared/farm.js';
import { DEFAULT_LOCK_MS, FarmWorker } from '../../core/farm/farm-worker.js';
import { intInRange } from '../options.js';
import { CliServices } from '../services.js';
import { STOP_GRACE_MS, stopOnSignals } from '../stop-signals.js';

interface WorkerOptions {
  redis?: string;
  concurrency: number;
  device?: string;
  threads?: number;
  name?: string;
  lockMs?: number;
  home?: string;
}

/**
 * The farm's Redis URL: --redis, else HEIRLOOM_REDIS_URL. A password given on the command
 * line is taken out of the process list (`ps`, /proc/PID/cmdline) by renaming the process.
 */
export function farmUrl(option: string | undefined, command = 'farm'): string {
  if (option !== undefined && /^[a-z][a-z0-9+.-]*:\/\/[^@\s/]*:[^@\s/]+@/i.test(option)) process.title = `heirloom ${command}`;
  const url = option ?? process.env.HEIRLOOM_REDIS_URL;
  if (!url) throw new HeirloomError('USAGE', 'Name the farm: --redis redis://host:6379 (or set HEIRLOOM_REDIS_URL, which keeps a password out of the process list).');
  return url;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('restore photos from a farm queue in Redis (start one on each machine; see README "A farm")')
    .option('--redis <url>', 'the farm: redis://[:password@]host:6379[/db], rediss:// for TLS (default $HEIRLOOM_REDIS_URL)')
    .option('-c, --concurrency <n>', 'photos restored at once', intInRange('--concurrency', 1, 64), 1)
    .option('-d, --device <id>', 'this machine\'s device for every photo (see "heirloom devices")')
    .option('--threads <n>', 'CPU threads for inference', intInRange('--threads', 1, 256))
    .option('--name <name>', 'this worker\'s name in events and "heirloom farm status" (default host-pid)')
    .option('--lock-ms <ms>', `how long a worker that stops answering keeps its photo before another takes it over (default ${DEFAULT_LOCK_MS})`, intInRange('--lock-ms', 500, 3_600_000))
    .option('--home <dir>', 'this worker\'s data directory (its own history, settings, models)')
    .action(async (options: WorkerOptions) => {
      const url = farmUrl(options.redis, 'worker');
      const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      const services = new CliServices(options.home);
      const worker = new FarmWorker({
        redisUrl: url,
        engine: services.engine,
        concurrency: options.concurrency,
        log,
        ...(options.name ? { name: options.name } : {}),
        ...(options.device ? { deviceId: options.device } : {}),
        ...(options.threads ? { threads: options.threads } : {}),
        ...(options.lockMs ? { lockMs: options.lockMs } : {}),
      });
      let stopping: Promise<void> | undefined;
      const stop = stopOnSignals({ onStop: () => (stopping = worker.stop(STOP_GRACE_MS - 1500)), message: 'Stopping: finishing the current photos, or handing them back to the queue...' });
      try {
        await worker.start();
        log(`worker ${worker.name} restoring from ${redactRedisUrl(url)} (${options.concurrency} at once, device ${options.device ?? 'auto'})`);
        await stop.stopped;
        await stopping;
        log(`worker ${worker.name} stopped`);
      } finally {
        try {
          await services.dispose();
        } finally {
          stop.dispose();
        }
      }
    });
}
