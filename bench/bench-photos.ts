import sharp from 'sharp';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Real photos for benchmarks: the repo's fixtures, plus ../shared/testdata when present (optional extras). */
export function sourcePhotos(): string[] {
  const candidates = [resolve('test/fixtures/photos'), resolve('../shared/testdata')];
  for (const dir of candidates) {
    if (!existsSync(dir)) continue;
    const files = readdirSync(dir).filter((f) => /\.(png|jpe?g)$/i.test(f)).map((f) => join(dir, f));
    if (files.length > 0) return files.sort();
  }
  throw new Error('No benchmark photos found (../shared/testdata or test/fixtures/photos).');
}

/** `count` photos of mixed sizes cut and scaled from the real ones (deterministic). */
export async function mixedPhotos(dir: string, count: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const sources = sourcePhotos();
  const scales = [1, 0.75, 0.5, 0.6, 0.9];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const src = sources[i % sources.length]!;
    const factor = scales[Math.floor(i / sources.length) % scales.length]!;
    const meta = await sharp(src).metadata();
    const path = join(dir, `photo-${String(i).padStart(2, '0')}.png`);
    if (!existsSync(path)) {
      await sharp(src)
        .resize(Math.max(16, Math.round(meta.width! * factor)), Math.max(16, Math.round(meta.height! * factor)), { kernel: 'lanczos3' })
        .png()
        .toFile(path);
    }
    out.push(path);
  }
  return out;
}

/** `count` small photos of mixed shapes, the longer side from 60 % of `maxSide` to `maxSide` (for slow models). */
export async function smallPhotos(dir: string, count: number, maxSide: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const sources = sourcePhotos();
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const side = Math.round(maxSide * (0.6 + 0.4 * (count === 1 ? 1 : i / (count - 1))));
    const path = join(dir, `small-${String(i).padStart(2, '0')}.png`);
    if (!existsSync(path)) await sharp(sources[i % sources.length]!).resize(side, side, { fit: 'inside', kernel: 'lanczos3' }).png().toFile(path);
    out.push(path);
  }
  return out;
}

/** `count` square photos of one size (the GPEN table's setting: photos of similar resolution). */
export async function squarePhotos(dir: string, count: number, side: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const sources = sourcePhotos();
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `square-${side}-${String(i).padStart(2, '0')}.png`);
    if (!existsSync(path)) {
      // Distinct content per photo (a different window of a real photo): identical photos
      // would be restored once and skipped after (each photo once, by content hash).
      const src = sources[i % sources.length]!;
      const meta = await sharp(src).metadata();
      const round = Math.floor(i / sources.length);
      const window = Math.min(meta.width!, meta.height!) - 24 * round;
      await sharp(src)
        .extract({ left: 12 * round, top: 12 * round, width: window, height: window })
        .resize(side, side, { kernel: 'lanczos3' })
        .removeAlpha()
        .toColourspace('srgb')
        .png()
        .toFile(path);
    }
    out.push(path);
  }
  return out;
}

/** A 6000x4000 "scan" made from a real photo, as JPEG. */
export async function largeScan(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'scan-6000x4000.jpg');
  if (!existsSync(path)) {
    const src = sourcePhotos().find((p) => p.includes('hubble')) ?? sourcePhotos()[0]!;
    await sharp(src, { limitInputPixels: false }).resize(6000, 4000, { fit: 'cover', kernel: 'lanczos3' }).jpeg({ quality: 92 }).toFile(path);
  }
  return path;
}
