import { extname, basename, join } from 'node:path';
import { sidecarPathFor } from './mask-path.js';
import { HeirloomError } from '../../shared/errors.js';
import type { Stage } from '../../shared/events.js';
import type { ModelManifest } from '../../shared/model-manifest.js';
import { decodeImage, encodeImage, outputFormatFor, EXTENSION, type DecodedImage, type FormatChoice } from '../imaging/codec.js';
import { resizeSamples16 } from '../imaging/resample.js';
import { commitOutput, discardTemp, tempPathFor } from '../fs/atomic-output.js';
import { claimOutputPath } from '../fs/claim-output.js';
import { planPhotoTiles, planTiles } from '../inference/tiler.js';
import { OutputCanvas } from '../inference/output-canvas.js';
import type { HostCpuTurn, PhotoResult, PhotoWork, PreparedPhoto } from '../scheduler/photo-work.js';
import type { CanvasStage, ImageStage, PhotoStage } from './photo-stage.js';

export interface PhotoSettings {
  /** The super-resolution network; absent for `--model none` (the photo keeps its size). */
  manifest?: ModelManifest;
  /** Requested scale, 1..manifest.scale (1 without a network). */
  scale: number;
  /** Tile core size in input pixels; 0 runs the whole photo as one tile. */
  tileSize: number;
  /** Auto tiling: the tile size for a photo of this size (the one with the least measured time). */
  tileFor?: (width: number, height: number) => number;
  format: FormatChoice;
  quality?: number;
  overwrite: boolean;
  /** Leave the source's EXIF, XMP, IPTC and ICC profile out of the output. */
  stripMetadata?: boolean;
  maxPixels: number;
  outDir: string;
  /**
   * Moves the finished temporary file into place and returns the path written; default
   * commitOutput (a free name). Durable jobs record the name before the move (durable-job.ts).
   */
  commit?: (tempPath: string, finalPath: string, source: string) => Promise<string>;
  /** The stages around the network, in the order they run (see stage-list.ts). */
  stages?: readonly PhotoStage[];
}

/** The executor's view of a photo's restore: decode, stages, network (its tiles), stages, encode. */
export function photoWork(settings: PhotoSettings): PhotoWork {
  return {
    ...(settings.manifest ? { network: settings.manifest } : {}),
    tileSize: settings.tileSize,
    prepare: (file, onStage) => preparePhoto(file, settings, onStage),
    replan: (photo, tileSize) => replanPhoto(photo, tileSize, settings),
    finish: (photo, options) => finishPhoto(photo, settings, options),
  };
}

/** Decode, the stages at the photo's own size, and the tile plan: everything before the network runs. */
export async function preparePhoto(file: string, settings: PhotoSettings, onStage: (stage: Stage) => void = () => {}): Promise<PreparedPhoto> {
  const stageMs: Record<string, number> = {};
  let started = Date.now();
  let image = await decodeImage(file, { maxPixels: settings.maxPixels });
  stageMs.decode = Date.now() - started;
  const notes: string[] = [];
  const sidecars: PreparedPhoto['sidecars'] = [];
  for (const stage of imageStages(settings)) {
    onStage(stage.progress);
    started = Date.now();
    image = await runStage(stage, file, () => stage.run({ file, image, notes, sidecars }));
    stageMs[stage.name] = Date.now() - started;
  }
  const photo = { file, image, stageMs, notes, sidecars };
  return { ...photo, ...cut(image, settings.tileFor?.(image.width, image.height) ?? settings.tileSize, settings) };
}

/** Re-cuts a prepared photo with another tile size (after an out-of-memory error), dropping what was written. */
export function replanPhoto(photo: PreparedPhoto, tileSize: number, settings: PhotoSettings): PreparedPhoto {
  return { ...photo, ...cut(photo.image, tileSize, settings) };
}

function cut(image: DecodedImage, tileSize: number, settings: PhotoSettings): Pick<PreparedPhoto, 'plan' | 'canvas'> {
  if (!settings.manifest) {
    const canvas = OutputCanvas.fromImage(image.pixels, image.colorChannels, image.bitDepth);
    return { plan: { ...planTiles(image.width, image.height, 0, 0), tiles: [] }, canvas };
  }
  const plan = planPhotoTiles(image.width, image.height, tileSize, settings.manifest.tileOverlap);
  return { plan, canvas: new OutputCanvas(plan, settings.scale, settings.manifest.scale, image.colorChannels, image.bitDepth) };
}

/**
 * Everything after the last tile: the stages on the restored photo, reattach alpha, encode
 * into a temporary file in the output folder and move it into place, then the files beside
 * it (masks). The original is only ever read.
 */
export async function finishPhoto(
  photo: PreparedPhoto,
  settings: PhotoSettings,
  { signal, turn = (work) => work(), onStage = () => {} }: { signal?: AbortSignal; turn?: HostCpuTurn; onStage?: (stage: Stage) => void } = {},
): Promise<PhotoResult> {
  const { image, canvas, file } = photo;
  const stageMs = { ...photo.stageMs };
  if (photo.networkStartedAt !== undefined) stageMs.upscale = Date.now() - photo.networkStartedAt;
  for (const stage of canvasStages(settings)) {
    throwIfCancelled(signal, file);
    onStage(stage.progress);
    const started = Date.now();
    await runStage(stage, file, () => stage.run(photo, signal));
    stageMs[stage.name] = Date.now() - started;
  }
  throwIfCancelled(signal, file);
  onStage('encoding');
  const format = outputFormatFor(image.format, settings.format);
  const finalPath = join(settings.outDir, basename(file, extname(file)) + EXTENSION[format]);
  const temp = tempPathFor(finalPath);
  try {
    const started = Date.now();
    const encoded = await turn(async () => {
      const data = image.hasAlpha ? await withAlpha(canvas, image) : canvas.data;
      const channels = (canvas.channels + (image.hasAlpha ? 1 : 0)) as 1 | 2 | 3 | 4;
      const quality = settings.quality === undefined ? {} : { quality: settings.quality };
      const metadata = settings.stripMetadata ? {} : { metadata: image.metadata };
      return encodeImage({ data, width: canvas.width, height: canvas.height, channels, bitDepth: canvas.bitDepth, format, ...quality, ...metadata }, temp);
    });
    throwIfCancelled(signal, file);
    // The source itself is never replaced, even with --overwrite and the output folder its own.
    const output = settings.commit ? await settings.commit(temp, finalPath, file) : await commitOutput(temp, finalPath, settings.overwrite, [file]);
    for (const sidecar of photo.sidecars) await writeSidecar(output, sidecar);
    stageMs.encode = Date.now() - started;
    return { output, width: canvas.width, height: canvas.height, notes: [...image.notes, ...photo.notes, ...encoded.notes], stageMs };
  } finally {
    await discardTemp(temp);
  }
}

/** "<output name>.mask.png" beside the output: written to a temporary name, then renamed over any earlier one. */
async function writeSidecar(output: string, sidecar: PreparedPhoto['sidecars'][number]): Promise<void> {
  const path = sidecarPathFor(output, sidecar.suffix);
  const temp = tempPathFor(path);
  try {
    await sidecar.write(temp);
    await claimOutputPath(temp, path, { replace: true });
  } finally {
    await discardTemp(temp);
  }
}

/** A stage's own errors keep their codes; anything unexpected is reported as that stage failing on that photo. */
async function runStage<T>(stage: PhotoStage, file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HeirloomError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new HeirloomError('STAGE_FAILED', `The ${stage.name} stage failed on ${file} (${reason.split('\n')[0]}). Restore it without that stage, and report the photo if it keeps failing.`, { file, cause: error });
  }
}

function imageStages(settings: PhotoSettings): ImageStage[] {
  return (settings.stages ?? []).filter((s): s is ImageStage => s.on === 'image');
}

function canvasStages(settings: PhotoSettings): CanvasStage[] {
  return (settings.stages ?? []).filter((s): s is CanvasStage => s.on === 'canvas');
}

export function throwIfCancelled(signal: AbortSignal | undefined, file: string): void {
  if (signal?.aborted) throw new HeirloomError('CANCELLED', `Restoring ${file} was cancelled; nothing was written.`, { file });
}

/** Alpha is not shown to the model: it is resized on its own and reattached. */
async function withAlpha(canvas: OutputCanvas, image: DecodedImage): Promise<Uint8Array | Uint16Array> {
  const { width, height, stride, data } = image.pixels;
  const plane = new Uint16Array(width * height);
  const widen = image.bitDepth === 16 ? 1 : 257;
  for (let i = 0; i < plane.length; i++) plane[i] = data[i * stride + stride - 1]! * widen;
  const alpha = await resizeSamples16(plane, width, height, 1, canvas.width, canvas.height);
  const colour = canvas.channels;
  const out = image.bitDepth === 16 ? new Uint16Array(canvas.width * canvas.height * (colour + 1)) : new Uint8Array(canvas.width * canvas.height * (colour + 1));
  for (let p = 0, s = 0, d = 0; p < alpha.length; p++) {
    for (let c = 0; c < colour; c++) out[d++] = canvas.data[s++]!;
    out[d++] = image.bitDepth === 16 ? alpha[p]! : Math.round(alpha[p]! / 257);
  }
  return out;
}
