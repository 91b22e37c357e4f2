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
  maxPixels: number;
  outDir: string;
}

export interface PhotoProgress {
  stage: 'decoding' | 'inferring' | 'encoding';
  tile: number;
  tiles: number;
  batchSize: number;
}

export interface PhotoResult {
  output: string;
  width: number;
  height: number;
  notes: string[];
}

/**
 * Restores one photo end to end: decode, tile, run in batches of equal-shaped tiles,
 * assemble at the requested scale, reattach alpha, encode to a temporary file and move it
 * into place. The original is only ever read.
 */
export async function restorePhoto(
  file: string,
  settings: PhotoSettings,
  run: BatchRunner,
  onProgress: (p: PhotoProgress) => void,
  signal?: AbortSignal,
): Promise<PhotoResult> {
  onProgress({ stage: 'decoding', tile: 0, tiles: 0, batchSize: settings.batchSize });
  const image = await decodeImage(file, { maxPixels: settings.maxPixels });
  const { manifest } = settings;
  const plan = planTiles(image.width, image.height, settings.tileSize, manifest.tileOverlap);
  const canvas = new OutputCanvas(plan, settings.scale, manifest.scale, image.colorChannels, image.bitDepth);

  const tiles = plan.tiles.length;
  onProgress({ stage: 'inferring', tile: 0, tiles, batchSize: settings.batchSize });
  const itemLength = tileInputLength(plan);
  const dims = tileDims(plan);
  for (let start = 0; start < tiles; start += settings.batchSize) {
    throwIfCancelled(signal, file);
    const batch = plan.tiles.slice(start, start + settings.batchSize);
    const input = new Float32Array(itemLength * batch.length);
    batch.forEach((tile, i) => extractTile(image.pixels, plan, tile, input, i * itemLength));
    const output = await run(input, [batch.length, 3, dims.height, dims.width]);
    const outLength = output.length / batch.length;
    for (let i = 0; i < batch.length; i++) await canvas.writeTile(batch[i]!, output, i * outLength);
    onProgress({ stage: 'inferring', tile: start + batch.length, tiles, batchSize: batch.length });
  }
  throwIfCancelled(signal, file);

  onProgress({ stage: 'encoding', tile: tiles, tiles, batchSize: settings.batchSize });
  const samples = image.hasAlpha ? await withAlpha(canvas, image) : canvas.data;
  const format = outputFormatFor(image.format, settings.format);
  const finalPath = join(settings.outDir, basename(file, extname(file)) + EXTENSION[format]);
  const temp = tempPathFor(finalPath);
  try {
    await encodeImage(
      {
        data: samples,
        width: canvas.width,
        height: canvas.height,
        channels: (canvas.channels + (image.hasAlpha ? 1 : 0)) as 1 | 2 | 3 | 4,
        bitDepth: canvas.bitDepth,
        format,
        ...(settings.quality === undefined ? {} : { quality: settings.quality }),
      },
      temp,
    );
    throwIfCancelled(signal, file);
    const output = await commitOutput(temp, finalPath, settings.overwrite);
    const notes = image.pages > 1 ? [`first page of ${image.pages} restored`] : [];
    return { output, width: canvas.width, height: canvas.height, notes };
  } finally {
    await discardTemp(temp);
  }
}

export function tileDims(plan: TilePlan): { width: number; height: number } {
  return { width: plan.coreWidth + 2 * plan.pad, height: plan.coreHeight + 2 * plan.pad };
}

function throwIfCancelled(signal: AbortSignal | undefined, file: string): void {
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
