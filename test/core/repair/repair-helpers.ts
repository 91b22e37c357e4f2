import type { DecodedImage } from '../../../src/core/imaging/codec.js';
import { readRaw } from '../../helpers/images.js';
import { makeImage, type RepairImage } from '../../../src/core/repair/image.js';

const photos = new URL('../../fixtures/photos/', import.meta.url).pathname;

export async function fixturePhoto(name: string): Promise<RepairImage> {
  const raw = await readRaw(photos + name);
  return makeImage(new Uint8Array(raw.data), raw.width, raw.height, raw.channels as 1 | 3, raw.channels === 4 || raw.channels === 2);
}

/** PSNR in dB over the colour samples of the pixels where `mask` is set. */
export function maskedPsnr(a: RepairImage, b: RepairImage, mask: Uint8Array): number {
  const { stride, maxValue } = a.pixels;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    for (let c = 0; c < a.colorChannels; c++) {
      const d = a.pixels.data[i * stride + c]! - b.pixels.data[i * stride + c]!;
      sum += d * d;
      n++;
    }
  }
  return 10 * Math.log10((maxValue * maxValue) / (sum / n));
}

/** A DecodedImage around a repair image, to check the two types fit together. */
export function decodedStandIn(image: RepairImage): DecodedImage {
  return { ...image, file: 'stand-in.png', format: 'png', pages: 1, metadata: {} as DecodedImage['metadata'], notes: ['a note'] };
}
