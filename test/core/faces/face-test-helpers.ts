import { fileURLToPath } from 'node:url';
import { ModelSession } from '../../../src/core/inference/ort-backend.js';
import { decodeImage, type DecodedImage } from '../../../src/core/imaging/codec.js';
import type { PixelSource } from '../../../src/core/inference/tiler.js';
import type { Point } from '../../../src/core/faces/face-geometry.js';
import type { PlanarImage } from '../../../src/core/faces/planar-image.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/faces/', import.meta.url));
export const BUNDLED_YUNET = fileURLToPath(new URL('../../../models/yunet-s/model.onnx', import.meta.url));

export async function loadFixture(name: string): Promise<DecodedImage> {
  return decodeImage(`${FIXTURES}${name}`, { maxPixels: 50_000_000 });
}

export async function openYuNet(): Promise<ModelSession> {
  return ModelSession.open(BUNDLED_YUNET, { provider: 'cpu', threads: 1 });
}

/** The photo as one grey channel (Rec. 601 luma), as a scanned black-and-white print decodes. */
export function toGray(source: PixelSource): PixelSource {
  const n = source.width * source.height;
  const data = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const s = p * source.stride;
    data[p] = Math.round(0.299 * source.data[s]! + 0.587 * source.data[s + 1]! + 0.114 * source.data[s + 2]!);
  }
  return { width: source.width, height: source.height, stride: 1, data, maxValue: 255 };
}

/** Nearest-neighbour enlargement: a deterministic stand-in for the background model's output. */
export function enlarge(source: PixelSource, scale: number): { width: number; height: number; channels: 1 | 3; bitDepth: 8; data: Uint8Array } {
  const channels = source.stride < 3 ? 1 : 3;
  const width = source.width * scale;
  const height = source.height * scale;
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (Math.floor(y / scale) * source.width + Math.floor(x / scale)) * source.stride;
      for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = source.data[s + c]!;
    }
  }
  return { width, height, channels, bitDepth: 8, data };
}

/** Background level and blob size of `dotPhoto`. */
const DOT_BACKGROUND = 0.1;
const DOT_SIGMA = 1.2;

/**
 * A dark RGB photo with a small bright Gaussian blob centred on each point (pixel centres on
 * integers): landmarks a test can find again in a warped crop.
 */
export function dotPhoto(width: number, height: number, points: readonly Point[]): PixelSource {
  const data = new Uint16Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = DOT_BACKGROUND;
      for (const p of points) v += 0.8 * Math.exp(-((x - p.x) ** 2 + (y - p.y) ** 2) / (2 * DOT_SIGMA * DOT_SIGMA));
      const i = (y * width + x) * 3;
      data[i] = data[i + 1] = data[i + 2] = Math.round(Math.min(1, v) * 65535);
    }
  }
  return { width, height, stride: 3, data, maxValue: 65535 };
}

/**
 * The brightness-weighted centre of the blob within `radius` px of `near` in channel 0 of a
 * planar image, or null when no blob is there (nothing above half the dots' peak).
 */
export function blobCentre(image: PlanarImage, near: Point, radius = 12): Point | null {
  let mass = 0;
  let sx = 0;
  let sy = 0;
  let peak = 0;
  for (let y = Math.max(0, Math.floor(near.y - radius)); y <= Math.min(image.height - 1, Math.ceil(near.y + radius)); y++) {
    for (let x = Math.max(0, Math.floor(near.x - radius)); x <= Math.min(image.width - 1, Math.ceil(near.x + radius)); x++) {
      const w = Math.max(0, image.data[y * image.width + x]! - DOT_BACKGROUND - 0.02);
      peak = Math.max(peak, w);
      mass += w;
      sx += w * x;
      sy += w * y;
    }
  }
  return peak > 0.4 ? { x: sx / mass, y: sy / mass } : null;
}

/** An interleaved canvas as planar 0..1 channels (to look for blobs in a pasted result). */
export function canvasPlanes(canvas: { width: number; height: number; channels: 1 | 3; bitDepth: 8 | 16; data: Uint8Array | Uint16Array }): PlanarImage {
  const plane = canvas.width * canvas.height;
  const max = canvas.bitDepth === 16 ? 65535 : 255;
  const data = new Float32Array(canvas.channels * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < canvas.channels; c++) data[c * plane + p] = canvas.data[p * canvas.channels + c]! / max;
  return { width: canvas.width, height: canvas.height, channels: canvas.channels, data };
}
