import type { Command } from 'commander';
import { compactSettings, type JobSettings } from '../shared/job-settings.js';
import type { ProviderName } from '../shared/devices.js';
import type { FormatChoiceName } from '../shared/settings.js';
import { autoOrInt, intInRange, oneOf, unitInterval } from './options.js';
import { parseProvider } from './commands/devices.js';

/** The options that make a job's settings record, as commander parses them. */
export interface JobSettingsOptions {
  model?: string;
  scale?: number;
  tile?: number | 'auto';
  batch?: number | 'auto';
  device?: string;
  provider?: ProviderName;
  format?: FormatChoiceName;
  quality?: number;
  overwrite?: boolean;
  stripMetadata?: boolean;
  maxPixels?: number;
  threads?: number;
  faces?: boolean;
  faceModel?: string;
  faceWeight?: number;
  faceFidelity?: number;
  scratches?: boolean;
  fading?: boolean;
  fadingStrength?: number;
  oldPhoto?: boolean;
  saveMasks?: boolean;
}

/** The options `restore` and `watch` share: one list, so a new setting is an option in both. */
export function addJobSettingsOptions(command: Command, defaults: { model?: string } = {}): Command {
  return command
    .option('-m, --model <id>', 'super-resolution model id (see "heirloom models"), or "none" to keep each photo\'s size', defaults.model)
    .option('-s, --scale <n>', 'output scale, 1 up to the model scale', intInRange('--scale', 1, 8))
    .option('-t, --tile <n|auto>', 'tile size in input pixels; 0 = whole image', autoOrInt('--tile', 0, 8192), 'auto')
    .option('-b, --batch <n|auto>', 'tiles per batch', autoOrInt('--batch', 1, 64), 'auto')
    .option('-d, --device <id>', 'device id (see "heirloom devices")')
    .option('--provider <name>', 'execution provider for this run: cpu, webgpu, cuda, dml, coreml (falls back to the CPU with a warning if it cannot load)', parseProvider)
    .option('-f, --format <format>', 'output format: keep, png, jpeg, webp, tiff', oneOf('--format', ['keep', 'png', 'jpeg', 'webp', 'tiff'] as const), 'keep')
    .option('-q, --quality <n>', 'JPEG/WebP quality 1..100', intInRange('--quality', 1, 100))
    .option('--strip-metadata', 'leave EXIF (date, camera, GPS), XMP, IPTC and the colour profile out of the outputs')
    .option('--max-pixels <n>', 'refuse images declaring more pixels than this, before decoding them (default 200000000)', intInRange('--max-pixels', 1, 4_000_000_000))
    .option('--threads <n>', 'CPU threads for inference', intInRange('--threads', 1, 256))
    .option('--faces', 'also restore faces: detect, align, restore with a face model, paste back')
    .option('--face-model <id>', 'face-restoration model (implies --faces; default: the first installed of gfpgan-1.4, codeformer, gpen-bfr-512, gpen-bfr-256)')
    .option('--face-weight <w>', 'how much of the restored face to paste over the background, 0..1 (implies --faces; default 0.7)', unitInterval('--face-weight'))
    .option('--scratches', 'find and repair scratches, cracks, dust and small tears (at the photo\'s own size, before upscaling)')
    .option('--fading', 'restore faded colour and tone (a cast, lost contrast) as faded as each photo measures; an unfaded photo, or one without colour (a greyscale scan), passes almost unchanged')
    .option('--fading-strength <percent>', 'restore fading at this strength, 1..100, for every photo instead of measuring each (implies --fading); for greyscale scans of faded prints, which --fading leaves as they are', intInRange('--fading-strength', 1, 100))
    .option('--old-photo', 'the old-photo preset: --scratches --fading, upscale with the default model, and faces when a face model is installed')
    .option('--save-masks', 'write each photo\'s damage mask beside its output as <name>.mask.png (white = repaired; implies --scratches)')
    .option('--face-fidelity <f>', 'for face models with a fidelity input (CodeFormer): 0 = most restoration, 1 = closest to the input (implies --faces; default 0.5)', unitInterval('--face-fidelity'));
}

/** The one mapping from CLI options to the job settings record. */
export function jobSettingsFromOptions(options: JobSettingsOptions): JobSettings {
  const wantsFaces = options.faces || options.faceModel !== undefined || options.faceWeight !== undefined || options.faceFidelity !== undefined;
  const faces = wantsFaces ? compactSettings({ modelId: options.faceModel, weight: options.faceWeight, fidelity: options.faceFidelity }) : undefined;
  return compactSettings({
    modelId: options.model,
    scale: options.scale,
    tile: options.tile,
    batch: options.batch,
    deviceId: options.device,
    provider: options.provider,
    format: options.format,
    quality: options.quality,
    overwrite: options.overwrite,
    stripMetadata: options.stripMetadata || undefined,
    maxPixels: options.maxPixels,
    threads: options.threads,
    faces,
    scratches: options.scratches || options.oldPhoto || options.saveMasks || undefined,
    fading: options.fading || options.oldPhoto || options.fadingStrength !== undefined || undefined,
    fadingStrength: options.fadingStrength,
    facesIfInstalled: options.oldPhoto && !faces ? true : undefined,
    saveMasks: options.saveMasks || undefined,
  });
}
