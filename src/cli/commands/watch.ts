import type { Command } from 'commander';
import { DEFAULT_MODEL_ID } from '../../shared/model-manifest.js';
import { stopOnSignals, type StopHandle } from '../stop-signals.js';
import { HeirloomError } from '../../shared/errors.js';
import type { ProviderName } from '../../shared/devices.js';
import type { FormatChoiceName } from '../../shared/settings.js';
import type { WatchEvent, WatchPreset } from '../../shared/watch.js';
import { WatchStore } from '../../core/store/watch-store.js';
import { WatchService } from '../../core/watch/watch-service.js';
import { autoOrInt, intInRange, oneOf } from '../options.js';
import { CliServices } from '../services.js';
import { parseProvider } from './devices.js';

interface WatchOptions {
  out: string;
  model: string;
  scale?: number;
  faces?: boolean;
  format: FormatChoiceName;
  device?: string;
  provider?: ProviderName;
  tile: number | 'auto';
  batch: number | 'auto';
  threads?: number;
  stableMs: number;
  json?: boolean;
  home?: string;
}

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('restore every photo that appears in a folder (and its subfolders) until stopped; picks up where it left off')
    .argument('<dir>', 'the folder to watch')
    .requiredOption('-o, --out <dir>', 'output folder (created if missing; may be inside the watched folder)')
    .option('-m, --model <id>', 'model id (see "heirloom models")', DEFAULT_MODEL_ID)
    .option('-s, --scale <n>', 'output scale, 1 up to the model scale', intInRange('--scale', 1, 8))
    .option('--faces', 'also restore faces (the default face model)')
    .option('-f, --format <format>', 'output format: keep, png, jpeg, webp, tiff', oneOf('--format', ['keep', 'png', 'jpeg', 'webp', 'tiff'] as const), 'keep')
    .option('-d, --device <id>', 'device id (see "heirloom devices")')
    .option('--provider <name>', 'execution provider: cpu, webgpu, cuda, dml, coreml', parseProvider)
    .option('-t, --tile <n|auto>', 'tile size in input pixels; 0 = whole image', autoOrInt('--tile', 0, 8192), 'auto')
    .option('-b, --batch <n|auto>', 'tiles per batch', autoOrInt('--batch', 1, 64), 'auto')
    .option('--threads <n>', 'CPU threads for inference', intInRange('--threads', 1, 256))
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
        const preset: WatchPreset = {
          modelId: options.model,
          faces: options.faces ?? false,
          format: options.format,
          ...(options.scale ? { scale: options.scale } : {}),
          ...(options.device ? { deviceId: options.device } : {}),
          ...(options.provider ? { provider: options.provider } : {}),
          tile: options.tile,
          batch: options.batch,
          ...(options.threads ? { threads: options.threads } : {}),
        };
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
  const { manifest } = await services.models.get(preset.modelId);
  if (manifest.task !== 'restore-upscale') throw new HeirloomError('USAGE', `Model ${manifest.id} is a ${manifest.task} model; pick a restoration model (see "heirloom models").`);
  if (preset.scale !== undefined && preset.scale > manifest.scale) throw new HeirloomError('USAGE', `--scale must be a whole number from 1 to ${manifest.scale} for model ${manifest.id}, got ${preset.scale}.`);
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
