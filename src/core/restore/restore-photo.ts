import { extname, basename, join } from 'node:path';
import { HeirloomError } from '../../shared/errors.js';
import type { ModelManifest } from '../../shared/model-manifest.js';
import { decodeImage, encodeImage, outputFormatFor, EXTENSION, type DecodedImage, type FormatChoice } from '../imaging/codec.js';
import { resizeSamples16 } from '../imaging/resample.js';
import { commitOutput, discardTemp, tempPathFor } from '../fs/atomic-output.js';
import { extractTile, planTiles, tileInputLength, type TilePlan } from '../inference/tiler.js';
import { OutputCanvas } from '../inference/output-canvas.js';

/** Runs the model on a batch: input N x 3 x H x W (0..1), output N x 3 x sH x sW. */
export type BatchRunner = (input: Float32Array, dims: [number, number, number, number]) => Promise<Float32Array>;

export interface PhotoSettings {
  manifest: ModelManifest;
  /** Requested scale, 1..manifest.scale. */
  scale: number;
  /** Tile core size in input pixels; 0 runs the whole photo as one tile. */
  tileSize: number;
  batchSize: number;
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
  /** The face pass (src/core/faces/face-pass.ts): runs on the finished background, before encoding. */
  faces?: (photo: PreparedPhoto, signal?: AbortSignal) => Promise<{ faces: number }>;
}

export interface PhotoResult {
  output: string;
  width: number;
  height: number;
  notes: string[];
}

/** A decoded photo with its tile plan and the canvas its restored tiles are written into. */
export interface PreparedPhoto {
  file: string;
  image: DecodedImage;
  plan: TilePlan;
  canvas: OutputCanvas;
}

/** Decode and plan: everything before the model runs. */
export async function preparePhoto(file: string, settings: Pick<PhotoSettings, 'manifest' | 'scale' | 'tileSize' | 'maxPixels'>): Promise<PreparedPhoto> {
  const image = await decodeImage(file, { maxPixels: settings.maxPixels });
  const plan = planTiles(image.width, image.height, settings.tileSize, settings.manifest.tileOverlap);
  const canvas = new OutputCanvas(plan, settings.scale, settings.manifest.scale, image.colorChannels, image.bitDepth);
  return { file, image, plan, canvas };
}

/** Re-cuts a prepared photo with another tile size (after an out-of-memory error), dropping what was written. */
export function replanPhoto(photo: PreparedPhoto, tileSize: number, manifest: ModelManifest): PreparedPhoto {
  const plan = planTiles(photo.image.width, photo.image.height, tileSize, manifest.tileOverlap);
  const canvas = new OutputCanvas(plan, photo.canvas.scale, manifest.scale, photo.canvas.channels, photo.canvas.bitDepth);
  return { ...photo, plan, canvas };
}

/**
 * Everything after the last tile: reattach alpha, encode into a temporary file in the
 * output folder and move it into place. The original is only ever read.
 */
export async function finishPhoto(
  photo: PreparedPhoto,
  settings: Pick<PhotoSettings, 'format' | 'quality' | 'overwrite' | 'stripMetadata' | 'outDir' | 'faces' | 'commit'>,
  signal?: AbortSignal,
  /** Runs the CPU-heavy part (alpha, encoding) when the host CPU is free (see HostCpuTurns). */
  hostCpuTurn: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
): Promise<PhotoResult> {
  const { image, canvas, file } = photo;
  const faces = settings.faces ? (await settings.faces(photo, signal)).faces : undefined;
  throwIfCancelled(signal, file);
  const format = outputFormatFor(image.format, settings.format);
  const finalPath = join(settings.outDir, basename(file, extname(file)) + EXTENSION[format]);
  const temp = tempPathFor(finalPath);
  try {
    const encoded = await hostCpuTurn(async () => {
      const data = image.hasAlpha ? await withAlpha(canvas, image) : canvas.data;
      const channels = (canvas.channels + (image.hasAlpha ? 1 : 0)) as 1 | 2 | 3 | 4;
      const quality = settings.quality === undefined ? {} : { quality: settings.quality };
      const metadata = settings.stripMetadata ? {} : { metadata: image.metadata };
      return encodeImage({ data, width: canvas.width, height: canvas.height, channels, bitDepth: canvas.bitDepth, format, ...quality, ...metadata }, temp);
    });
    throwIfCancelled(signal, file);
    // The source itself is never replaced, even with --overwrite and the output folder its own.
    const output = settings.commit ? await settings.commit(temp, finalPath, file) : await commitOutput(temp, finalPath, settings.overwrite, [file]);
    const notes = [...image.notes, ...encoded.notes, ...(faces === undefined ? [] : [`${faces} face${faces === 1 ? '' : 's'} restored`])];
    return { output, width: canvas.width, height: canvas.height, notes };
  } finally {
    await discardTemp(temp);
  }
}

/**
 * Restores one photo on its own, batch after batch (the scheduler's executor does the same
 * across many photos and devices; this is the plain path for tests and tools).
 */
export async function restorePhoto(file: string, settings: PhotoSettings, run: BatchRunner, signal?: AbortSignal): Promise<PhotoResult> {
  const photo = await preparePhoto(file, settings);
  const { plan, canvas, image } = photo;
  const itemLength = tileInputLength(plan);
  const dims = tileDims(plan);
  for (let start = 0; start < plan.tiles.length; start += settings.batchSize) {
    throwIfCancelled(signal, file);
    const batch = plan.tiles.slice(start, start + settings.batchSize);
    const input = new Float32Array(itemLength * batch.length);
    batch.forEach((tile, i) => extractTile(image.pixels, plan, tile, input, i * itemLength));
    const output = await run(input, [batch.length, 3, dims.height, dims.width]);
    const outLength = output.length / batch.length;
    for (let i = 0; i < batch.length; i++) await canvas.writeTile(batch[i]!, output, i * outLength);
  }
  throwIfCancelled(signal, file);
  return finishPhoto(photo, settings, signal);
}

export function tileDims(plan: TilePlan): { width: number; height: number } {
  return { width: plan.coreWidth + 2 * plan.pad, height: plan.coreHeight + 2 * plan.pad };
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
