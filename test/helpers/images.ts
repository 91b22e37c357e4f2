import sharp from 'sharp';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'heirloom-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A deterministic colourful photo-like PNG of the given size. */
export async function writeTestPhoto(path: string, width: number, height: number, seed = 1): Promise<string> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 7 + y * 3 + seed * 40) % 256;
      data[i + 1] = Math.round(128 + 100 * Math.sin((x + seed) / 5) * Math.cos(y / 7));
      data[i + 2] = ((x ^ y) * 5 + seed * 17) % 256;
    }
  }
  await sharp(data, { raw: { width, height, channels: 3 } }).png().toFile(path);
  return path;
}

export async function readRaw(path: string): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** PSNR in dB between two equal-length 8-bit buffers (Infinity when identical). */
export function psnr(a: Uint8Array, b: Uint8Array, max = 255): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  if (sum === 0) return Infinity;
  return 10 * Math.log10((max * max) / (sum / a.length));
}
