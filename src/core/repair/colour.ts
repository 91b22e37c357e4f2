/** sRGB (D65) <-> CIE Lab and the CIE76 colour difference, for measuring colour restoration. */
import type { RepairImage } from './image.js';

export function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}

export function linearToSrgb(v: number): number {
  return v <= 0.0031308 ? v * 12.92 : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
}

const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);

/** CIE Lab (D65 white) of linear-light sRGB components 0..1. */
export function linearRgbToLab(r: number, g: number, b: number): [number, number, number] {
  const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
  const y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
  const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883;
  const fx = f(x);
  const fy = f(y);
  const fz = f(z);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** A lookup from sample value to linear light, for an image's bit depth. */
export function linearTable(maxValue: number): Float32Array {
  const table = new Float32Array(maxValue + 1);
  for (let v = 0; v <= maxValue; v++) table[v] = srgbToLinear(v / maxValue);
  return table;
}

/**
 * Mean CIE76 colour difference (Euclidean distance in Lab) between two images of the same
 * size, colour channels read as sRGB (a grey image as R=G=B); alpha is ignored.
 */
export function deltaE76(a: RepairImage, b: RepairImage): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`sizes differ: ${a.width}x${a.height} and ${b.width}x${b.height}`);
  const ta = linearTable(a.pixels.maxValue);
  const tb = a.pixels.maxValue === b.pixels.maxValue ? ta : linearTable(b.pixels.maxValue);
  const n = a.width * a.height;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const [l1, a1, b1] = labAt(a, ta, i);
    const [l2, a2, b2] = labAt(b, tb, i);
    sum += Math.hypot(l1 - l2, a1 - a2, b1 - b2);
  }
  return sum / n;
}

function labAt(image: RepairImage, table: Float32Array, i: number): [number, number, number] {
  const { data, stride } = image.pixels;
  const o = i * stride;
  if (image.colorChannels === 1) {
    const v = table[data[o]!]!;
    return linearRgbToLab(v, v, v);
  }
  return linearRgbToLab(table[data[o]!]!, table[data[o + 1]!]!, table[data[o + 2]!]!);
}
