import type { Command } from 'commander';
import type { FarmStatus } from '../../shared/farm.js';
import { readFarmStatus } from '../../core/farm/farm-status.js';
import { farmUrl } from './worker.js';

export function registerFarm(program: Command): void {
  const farm = program.command('farm').description('the farm: several machines restoring one job through Redis');
  farm
    .command('status')
    .description('the farm\'s workers (device, current photo, photos done, last heartbeat) and the queue\'s depth')
    .option('--redis <url>', 'the farm (default $HEIRLOOM_REDIS_URL)')
    .option('--json', 'one JSON object on stdout')
    .action(async (options: { redis?: string; json?: boolean }) => {
      const status = await readFarmStatus(farmUrl(options.redis, 'farm status'));
      process.stdout.write(options.json ? `${JSON.stringify({ type: 'farm-status', ...status })}\n` : formatStatus(status));
    });
}

export function formatStatus(status: FarmStatus): string {
  const q = status.queue;
  const lines = [`Farm ${status.redis}: ${q.waiting} waiting, ${q.active} restoring, ${q.completed} finished, ${q.failed} set aside`];
  if (status.workers.length === 0) lines.push('No workers. Start one on each machine: heirloom worker --redis URL');
  for (const w of status.workers) {
    const silent = w.silentMs > 10_000 ? ` (silent for ${Math.round(w.silentMs / 1000)} s)` : '';
    lines.push(`  ${w.name} on ${w.host}, device ${w.device}: ${w.state}${w.current.length ? ` ${w.current.join(', ')}` : ''}; ${w.done} done, ${w.failed} failed; heartbeat ${new Date(w.heartbeatAt).toISOString()}${silent}`);
  }
  return `${lines.join('\n')}\n`;
}
