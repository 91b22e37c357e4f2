import type { Command } from 'commander';
import { DEFAULT_MODEL_ID } from '../../shared/model-manifest.js';
import { stopOnSignals, type StopHandle } from '../stop-signals.js';
import type { WatchEvent, WatchPreset } from '../../shared/watch.js';
import { WatchStore } from '../../core/store/watch-store.js';
import { WatchService } from '../../core/watch/watch-service.js';
import { intInRange } from '../options.js';
import { addJobSettingsOptions, jobSettingsFromOptions, type JobSettingsOptions } from '../job-settings-options.js';
import { resolveUpscale } from '../../core/stages/upscale-stage.js';
import { CliServices } from '../services.js';

interface WatchOptions extends JobSettingsOptions {
  out: string;
  model: string;
  stableMs: number;
  json?: boolean;
  home?: string;
}

export function registerWatch(program: Command): void {
  const command = program
    .command('watch')
    .description('restore every photo that appears in a folder (and its subfolders) until stopped; picks up where it left off')
    .argument('<dir>', 'the folder to watch')
    .requiredOption('-o, --out <dir>', 'output folder (created if missing; may be inside the watched folder)');
  addJobSettingsOptions(command, { model: DEFAULT_MODEL_ID })
    .option('--stable-ms <n>', 'a file is taken once its size has not changed for this long', intInRange('--stable-ms', 50, 600_000), 2000)
    .option('--json', 'machine-readable events on stdout, one JSON object per line (watch events have type "watch")')
    .option('--home <dir>', 'data directory (history, settings, models); default $HEIRLOOM_HOME or the app-data folder')
    .action(async (dir: string, options: WatchOptions) => {
      const services = new CliServices(options.home);
      const service = new WatchService({ store: new WatchStore(services.db), jobs: services.jobs, engine: services.engine }, { stableMs: options.stableMs, pollMs: Math.min(200, Math.max(25, Math.round(options.stableMs / 4))) });
      const print = options.json ? (event: WatchEvent) => process.stdout.write(`${JSON.stringify(event)}\n`) : printForPeople;
      const off = service.on(print);
      let stop: StopHandle | undefined;
      try {
        const { faces, ...settings } = jobSettingsFromOptions(options);
        const preset: WatchPreset = { ...settings, modelId: options.model, format: options.format ?? 'keep', faces: faces ?? false };
        await checkPreset(services, preset);
        const folder = await service.ensure({ path: dir, outDir: options.out, preset });
        // Ctrl+C / SIGTERM stops watching; the process ends within STOP_GRACE_MS whatever hangs.
        stop = stopOnSignals({ onStop: () => undefined, ...(options.json ? {} : { message: 'Stopping (photos not finished are restored next time)...' }) });
        await service.start({ only: [folder.id] });
        if (!options.json) process.stderr.write(`Watching ${folder.path} -> ${folder.outDir} (${folder.id}). Press Ctrl+C to stop.\n`);
        await stop.stopped;
      } finally {
        try {
          await service.dispose();
          off();
          await services.dispose();
        } finally {
          stop?.dispose();
        }
      }
    });
}

/** Fails fast on a preset that can never run (unknown model, scale beyond it) instead of retrying it forever. */
async function checkPreset(services: CliServices, preset: WatchPreset): Promise<void> {
  await resolveUpscale({ modelId: preset.modelId, ...(preset.scale !== undefined ? { scale: preset.scale } : {}) }, services.models);
}

function printForPeople(event: WatchEvent): void {
  switch (event.type) {
    case 'watch':
      process.stderr.write(`${event.kind}: ${event.message}\n`);
      break;
    case 'file-done':
      process.stderr.write(`restored ${event.file} -> ${event.output} (${event.width}x${event.height}, ${(event.ms / 1000).toFixed(1)} s)\n`);
      break;
    case 'file-failed':
      process.stderr.write(`FAILED ${event.file}: ${event.message} [${event.code}]\n`);
      break;
    case 'file-skipped':
      process.stderr.write(`skipped ${event.file}: ${event.reason}\n`);
      break;
    case 'warning':
      process.stderr.write(`warning: ${event.message}\n`);
      break;
    default:
      break;
  }
}
