/**
 * Seeded synthetic damage for tests and the bench: scratches, cracks, dust and a torn
 * corner drawn onto a copy of a photo, with the exact mask of every pixel that changed.
 * The same seed and options always give the same damage.
 */
import { seededRandom } from '../../shared/seeded-random.js';
import { type RepairImage, checkImage, cloneImage } from './image.js';

export interface DamageOptions {
  seed?: number;
  /** Long thin lines, 1-8 px wide, bright or dark, hard or soft edged (default 4). */
  scratches?: number;
  /** Jagged branching dark polylines, 1-2 px wide (default 2). */
  cracks?: number;
  /** Dust and specks: blobs of radius 1-4 px (default 30). */
  specks?: number;
  /** A torn-off corner, paper white, reaching this fraction of the shorter side (0 = none, default 0). */
  tornCorner?: number;
  /** Widest scratch in px (default 8). */
  maxScratchWidth?: number;
}

export interface SyntheticDamage<T extends RepairImage> {
  image: T;
  /** 1 where the damage changed (or may have changed) the pixel. */
  mask: Uint8Array;
}

/** Coverage (0..1) and colour (0..1, grey) of the damage, drawn layer over layer. */
class Canvas {
  readonly alpha: Float32Array;
  readonly tone: Float32Array;
  constructor(readonly w: number, readonly h: number) {
    this.alpha = new Float32Array(w * h);
    this.tone = new Float32Array(w * h);
  }

  put(x: number, y: number, coverage: number, tone: number): void {
    if (coverage <= 0 || x < 0 || y < 0 || x >= this.w || y >= this.h) return;
    const i = y * this.w + x;
    const a = Math.min(1, coverage);
    // Later layers go over earlier ones.
    this.tone[i] = this.tone[i]! * (1 - a) * this.alpha[i]! / Math.max(1e-6, a + this.alpha[i]! * (1 - a)) + (tone * a) / Math.max(1e-6, a + this.alpha[i]! * (1 - a));
    this.alpha[i] = a + this.alpha[i]! * (1 - a);
  }

  /** A stroke of width `width` along a polyline; `soft` ramps the edges over a pixel. */
  stroke(points: Array<[number, number]>, width: number, tone: number, soft: boolean): void {
    const half = width / 2;
    const cover = new Map<number, number>();
    for (let k = 0; k + 1 < points.length; k++) {
      const [ax, ay] = points[k]!;
      const [bx, by] = points[k + 1]!;
      const pad = half + 2;
      const minX = Math.max(0, Math.floor(Math.min(ax, bx) - pad));
      const maxX = Math.min(this.w - 1, Math.ceil(Math.max(ax, bx) + pad));
      const minY = Math.max(0, Math.floor(Math.min(ay, by) - pad));
      const maxY = Math.min(this.h - 1, Math.ceil(Math.max(ay, by) + pad));
      const dx = bx - ax;
      const dy = by - ay;
      const len2 = dx * dx + dy * dy || 1;
      for (let y = minY; y <= maxY; y++) for (let x = minX; x <= maxX; x++) {
        const px = x + 0.5;
        const py = y + 0.5;
        const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
        const d = Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
        const c = soft ? Math.max(0, Math.min(1, half + 0.5 - d)) * Math.max(0, Math.min(1, (half + 1 - d) / 1.5)) : d <= Math.max(0.5, half) ? 1 : 0;
        if (c <= 0) continue;
        const i = y * this.w + x;
        cover.set(i, Math.max(cover.get(i) ?? 0, c));
      }
    }
    for (const [i, c] of cover) this.put(i % this.w, Math.floor(i / this.w), c, tone);
  }
}

export function synthesizeDamage<T extends RepairImage>(image: T, options: DamageOptions = {}): SyntheticDamage<T> {
  checkImage(image);
  const { width: w, height: h } = image;
  const random = seededRandom(options.seed ?? 1);
  const between = (a: number, b: number) => a + (b - a) * random();
  const canvas = new Canvas(w, h);
  const maxWidth = options.maxScratchWidth ?? 8;

  for (let s = 0; s < (options.scratches ?? 4); s++) {
    // Long, nearly straight, mostly vertical like film and print scratches, slightly bowed.
    const angle = Math.PI / 2 + between(-0.5, 0.5);
    const length = between(0.4, 0.9) * Math.max(w, h);
    const cx = between(0, w);
    const cy = between(0, h);
    const bow = between(-0.03, 0.03) * length;
    const points: Array<[number, number]> = [];
    for (let k = 0; k <= 12; k++) {
      const t = k / 12 - 0.5;
      const off = bow * (1 - 4 * t * t);
      points.push([cx + Math.cos(angle) * t * length - Math.sin(angle) * off, cy + Math.sin(angle) * t * length + Math.cos(angle) * off]);
    }
    const width = Math.round(between(1, maxWidth));
    const bright = random() < 0.6;
    canvas.stroke(points, width, bright ? between(0.85, 1) : between(0, 0.15), random() < 0.5);
  }

  for (let c = 0; c < (options.cracks ?? 2); c++) {
    const branches: Array<{ x: number; y: number; angle: number; steps: number }> = [{ x: between(0, w), y: between(0, h), angle: between(0, 2 * Math.PI), steps: Math.round(between(20, 50)) }];
    while (branches.length > 0) {
      const b = branches.pop()!;
      const points: Array<[number, number]> = [[b.x, b.y]];
      let { x, y, angle } = b;
      for (let k = 0; k < b.steps; k++) {
        angle += between(-0.6, 0.6);
        const step = between(3, 8);
        x += Math.cos(angle) * step;
        y += Math.sin(angle) * step;
        points.push([x, y]);
        if (random() < 0.06 && branches.length < 6) branches.push({ x, y, angle: angle + between(-1.2, 1.2), steps: Math.round(b.steps * between(0.2, 0.5)) });
      }
      canvas.stroke(points, between(1, 2.2), between(0.02, 0.2), true);
    }
  }

  for (let s = 0; s < (options.specks ?? 30); s++) {
    const cx = between(0, w);
    const cy = between(0, h);
    const radius = between(1, 4);
    const tone = random() < 0.5 ? between(0.85, 1) : between(0, 0.15);
    for (let y = Math.floor(cy - radius - 1); y <= Math.ceil(cy + radius + 1); y++) for (let x = Math.floor(cx - radius - 1); x <= Math.ceil(cx + radius + 1); x++) {
      const wobble = 1 + 0.25 * Math.sin(Math.atan2(y - cy, x - cx) * 3 + s);
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) / wobble;
      canvas.put(x, y, Math.max(0, Math.min(1, radius + 0.5 - d)), tone);
    }
  }

  const corner = options.tornCorner ?? 0;
  if (corner > 0) {
    // Which corner, and a jagged tear line across it.
    const reach = corner * Math.min(w, h);
    const right = random() < 0.5;
    const bottom = random() < 0.5;
    const ax = between(0.7, 1.3) * reach;
    const ay = between(0.7, 1.3) * reach;
    const jag: number[] = [];
    for (let k = 0; k <= 64; k++) jag.push(between(-0.04, 0.04) * reach + (k > 0 ? jag[k - 1]! * 0.6 : 0));
    const paper = between(0.9, 0.97);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const u = right ? w - 1 - x : x;
      const v = bottom ? h - 1 - y : y;
      if (u > ax * 1.2 || v > ay * 1.2) continue;
      const along = Math.max(0, Math.min(64, Math.round((u / ax - v / ay + 1) * 32)));
      if (u / ax + v / ay <= 1 + jag[along]! / reach) canvas.put(x, y, 1, paper + between(-0.02, 0.02));
    }
  }

  const damaged = cloneImage(image);
  const data = damaged.pixels.data;
  const stride = damaged.pixels.stride;
  const max = damaged.pixels.maxValue;
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) {
    const a = canvas.alpha[i]!;
    if (a <= 0) continue;
    mask[i] = 1;
    const tone = canvas.tone[i]! * max;
    for (let c = 0; c < damaged.colorChannels; c++) {
      const j = i * stride + c;
      data[j] = Math.round(data[j]! * (1 - a) + tone * a);
    }
  }
  return { image: damaged, mask };
}
