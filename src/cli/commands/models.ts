import type { Command } from 'commander';
import { CliServices } from '../services.js';

export function registerModels(program: Command): void {
  const models = program.command('models').description('list and manage restoration models');

  models
    .command('list', { isDefault: true })
    .description('installed models with id, scale, size and source')
    .option('--json', 'one model per line as JSON')
    .option('--home <dir>', 'data directory')
    .action(async (options: { json?: boolean; home?: string }) => {
      const services = new CliServices(options.home ?? models.opts<{ home?: string }>().home);
      try {
        for (const { manifest, path } of await services.models.list()) {
          const row = { id: manifest.id, name: manifest.name, task: manifest.task, scale: manifest.scale, sizeBytes: manifest.sizeBytes, source: manifest.source, path };
          if (options.json || models.opts<{ json?: boolean }>().json) process.stdout.write(`${JSON.stringify(row)}\n`);
          else process.stdout.write(`${manifest.id.padEnd(28)} x${manifest.scale}  ${(manifest.sizeBytes / 1e6).toFixed(1).padStart(6)} MB  ${manifest.source.padEnd(9)} ${manifest.name}\n`);
        }
      } finally {
        await services.dispose();
      }
    });
  models.option('--json', 'one model per line as JSON').option('--home <dir>', 'data directory');
}
