import type { Command } from 'commander';
import type { FormatChoice } from '../../core/imaging/codec.js';
import { autoOrInt, intInRange, oneOf, unitInterval } from '../options.js';
import { runRestoreJob } from '../run-restore-job.js';
import { parseProvider } from './devices.js';
import type { ProviderName } from '../../shared/devices.js';
import type { FaceSettings } from '../../shared/face-settings.js';

interface RestoreOptions {
  out: string;
  model?: string;
  scale?: number;
  tile: number | 'auto';
  batch: number | 'auto';
  device?: string;
  provider?: ProviderName;
  json?: boolean;
  home?: string;
  format: FormatChoice;
  quality?: number;
  overwrite?: boolean;
  stripMetadata?: boolean;
  maxPixels?: number;
  threads?: number;
  faces?: boolean;
  faceModel?: string;
  faceWeight?: number;
  faceFidelity?: number;
}

export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description('restore photos (files or folders, searched recursively) into an output folder')
    .argument('<inputs...>', 'photo files or folders')
    .requiredOption('-o, --out <dir>', 'output folder (created if missing)')
    .option('-m, --model <id>', 'model id (see "heirloom models")')
    .option('-s, --scale <n>', 'output scale, 1 up to the model scale', intInRange('--scale', 1, 8))
    .option('-t, --tile <n|auto>', 'tile size in input pixels; 0 = whole image', autoOrInt('--tile', 0, 8192), 'auto')
    .option('-b, --batch <n|auto>', 'tiles per batch', autoOrInt('--batch', 1, 64), 'auto')
    .option('-d, --device <id>', 'device id (see "heirloom devices")')
    .option('--provider <name>', 'execution provider for this run: cpu, webgpu, cuda, dml, coreml (falls back to the CPU with a warning if it cannot load)', parseProvider)
    .option('-f, --format <format>', 'output format: keep, png, jpeg, webp, tiff', oneOf('--format', ['keep', 'png', 'jpeg', 'webp', 'tiff'] as const), 'keep')
    .option('-q, --quality <n>', 'JPEG/WebP quality 1..100', intInRange('--quality', 1, 100))
    .option('--overwrite', 'replace existing outputs instead of choosing a free name (originals are never replaced)')
    .option('--strip-metadata', 'leave EXIF (date, camera, GPS), XMP, IPTC and the colour profile out of the outputs')
    .option('--max-pixels <n>', 'refuse images declaring more pixels than this, before decoding them (default 200000000)', intInRange('--max-pixels', 1, 4_000_000_000))
    .option('--threads <n>', 'CPU threads for inference', intInRange('--threads', 1, 256))
    .option('--faces', 'also restore faces: detect, align, restore with a face model, paste back')
    .option('--face-model <id>', 'face-restoration model (implies --faces; default: the first installed of gfpgan-1.4, codeformer, gpen-bfr-512, gpen-bfr-256)')
    .option('--face-weight <w>', 'how much of the restored face to paste over the background, 0..1 (implies --faces; default 0.7)', unitInterval('--face-weight'))
    .option('--face-fidelity <f>', 'for face models with a fidelity input (CodeFormer): 0 = most restoration, 1 = closest to the input (implies --faces; default 0.5)', unitInterval('--face-fidelity'))
    .option('--json', 'machine-readable events on stdout, one JSON object per line')
    .option('--home <dir>', 'data directory (history, settings, models); default $HEIRLOOM_HOME or the app-data folder')
    .action(async (inputs: string[], options: RestoreOptions) => {
      await runRestoreJob(options, () => ({
        inputs,
        outDir: options.out,
        ...(options.model ? { modelId: options.model } : {}),
        ...(options.scale ? { scale: options.scale } : {}),
        tile: options.tile,
        batch: options.batch,
        ...(options.device ? { deviceId: options.device } : {}),
        ...(options.provider ? { provider: options.provider } : {}),
        format: options.format,
        ...(options.quality ? { quality: options.quality } : {}),
        overwrite: options.overwrite ?? false,
        ...(options.stripMetadata ? { stripMetadata: true } : {}),
        ...(options.maxPixels ? { maxPixels: options.maxPixels } : {}),
        ...(options.threads ? { threads: options.threads } : {}),
        ...(options.faces || options.faceModel || options.faceWeight !== undefined || options.faceFidelity !== undefined ? { faces: faceSettings(options) } : {}),
      }));
    });
}

function faceSettings(options: RestoreOptions): FaceSettings {
  return {
    ...(options.faceModel ? { modelId: options.faceModel } : {}),
    ...(options.faceWeight !== undefined ? { weight: options.faceWeight } : {}),
    ...(options.faceFidelity !== undefined ? { fidelity: options.faceFidelity } : {}),
  };
}
