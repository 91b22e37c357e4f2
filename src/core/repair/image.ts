/**
 * The image shape repair works on: a structural subset of imaging's DecodedImage, so a decoded
 * photo is passed as it is, and a repaired copy keeps every other field it had.
 */
/** Interleaved samples, as in DecodedImage.pixels (repair does not depend on inference). */
export interface RepairPixels {
  width: number;
  height: number;
  /** Samples per pixel in `data` (colour channels first, then alpha). */
  stride: number;
  data: Uint8Array | Uint16Array;
  /** Largest sample value: 255 or 65535. */
  maxValue: number;
}

export interface RepairImage {
  width: number;
  height: number;
  colorChannels: 1 | 3;
  hasAlpha: boolean;
  bitDepth: 8 | 16;
  /** Interleaved samples, colour channels first, then alpha when present. */
  pixels: RepairPixels;
}

/** Throws unless the image's fields agree with each other (stride, sizes, depth). */
export function checkImage(image: RepairImage): void {
  const { pixels: p } = image;
  const stride = image.colorChannels + (image.hasAlpha ? 1 : 0);
  if (p.stride !== stride) throw new Error(`stride ${p.stride} does not match ${image.colorChannels} colour channel(s)${image.hasAlpha ? ' and alpha' : ''}`);
  if (p.width !== image.width || p.height !== image.height) throw new Error('pixels and image disagree on the size');
  if (p.data.length !== p.width * p.height * stride) throw new Error(`${p.data.length} samples for ${p.width}x${p.height}x${stride}`);
  const expected = image.bitDepth === 16 ? 65535 : 255;
  if (p.maxValue !== expected || (image.bitDepth === 16) !== p.data instanceof Uint16Array) throw new Error(`bit depth ${image.bitDepth} does not match the samples`);
}

/** A copy of `image` with its own sample buffer. */
export function cloneImage<T extends RepairImage>(image: T): T {
  return { ...image, pixels: { ...image.pixels, data: image.pixels.data.slice() } };
}

/** A new image of the same shape from `data` (same length and type as the source's). */
export function withData<T extends RepairImage>(image: T, data: Uint8Array | Uint16Array): T {
  return { ...image, pixels: { ...image.pixels, data } };
}

/** Builds a RepairImage from bare interleaved samples (tests, the bench). */
export function makeImage(data: Uint8Array | Uint16Array, width: number, height: number, colorChannels: 1 | 3, hasAlpha = false): RepairImage {
  const bitDepth = data instanceof Uint16Array ? 16 : 8;
  const stride = colorChannels + (hasAlpha ? 1 : 0);
  return { width, height, colorChannels, hasAlpha, bitDepth, pixels: { data, width, height, stride, maxValue: bitDepth === 16 ? 65535 : 255 } };
}
