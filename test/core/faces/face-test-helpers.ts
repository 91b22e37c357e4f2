import { fileURLToPath } from 'node:url';
import { ModelSession } from '../../../src/core/inference/ort-backend.js';
import { decodeImage, type DecodedImage } from '../../../src/core/imaging/codec.js';
import type { PixelSource } from '../../../src/core/inference/tiler.js';

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
