/**
 * Exemplar-based filling of wide holes (tears, missing corners): multi-scale patch
 * synthesis after Wexler, Shechtman and Irani ("Space-time completion", 2007) with the
 * PatchMatch nearest-neighbour search (Barnes et al., 2009). At the coarsest level the hole is
 * first filled by peeling it from its rim with neighbour averages; then, at each level, every
 * patch that touches the hole finds its most similar fully known patch nearby, and each hole
 * pixel becomes the average of what the overlapping patches' matches say it should be. The
 * nearest-neighbour field is carried up to the next finer level.
 *
 * Works on float planes (one per colour channel) of a crop around one damaged component, in
 * sample units (0..255 or 0..65535: float32 holds both exactly), so 16-bit photos keep their
 * precision. Measured against Telea and Navier-Stokes in docs/repair.md.
 */
import { seededRandom } from '../../shared/seeded-random.js';

export interface PatchFillOptions {
  /** Patch half-size: patches are (2r+1)^2 pixels (default 3: 7x7). */
  patchRadius?: number;
  /** Expectation-maximisation rounds per pyramid level (default 4). */
  iterations?: number;
  /** Seed of the random search (default 1): the same input always gives the same output. */
  seed?: number;
}

export interface Level {
  w: number;
  h: number;
  planes: Float32Array[];
  hole: Uint8Array;
  /** 1 where a pixel may be part of a source patch (known and usable). */
  valid: Uint8Array;
}

export function downsample(level: Level): Level {
  const w = Math.max(1, level.w >> 1);
  const h = Math.max(1, level.h >> 1);
  const hole = new Uint8Array(w * h);
  const valid = new Uint8Array(w * h);
  const planes = level.planes.map(() => new Float32Array(w * h));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * w + x;
      let known = 0;
      let allValid = 1;
      const sums = new Float64Array(planes.length);
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const i = Math.min(2 * y + dy, level.h - 1) * level.w + Math.min(2 * x + dx, level.w - 1);
          if (!level.valid[i]) allValid = 0;
          if (level.hole[i]) continue;
          known++;
          for (let c = 0; c < planes.length; c++) sums[c]! += level.planes[c]![i]!;
        }
      }
      // A coarse pixel is known only when all four of its pixels are.
      hole[o] = known === 4 ? 0 : 1;
      valid[o] = allValid && known === 4 ? 1 : 0;
      if (known === 4) for (let c = 0; c < planes.length; c++) planes[c]![o] = sums[c]! / 4;
    }
  }
  return { w, h, planes, hole, valid };
}

/** Fills the hole from its rim inwards, each pixel the mean of its already known 8 neighbours. */
export function peelFill(level: Level): void {
  const { w, h, planes, hole } = level;
  const filled = new Uint8Array(w * h);
  for (let i = 0; i < filled.length; i++) filled[i] = hole[i] ? 0 : 1;
  let front: number[] = [];
  for (let i = 0; i < filled.length; i++) if (!filled[i]) front.push(i);
  while (front.length > 0) {
    const next: number[] = [];
    const done: Array<[number, number[]]> = [];
    for (const i of front) {
      const x = i % w;
      const y = (i - x) / w;
      const sums = new Array<number>(planes.length).fill(0);
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const j = yy * w + xx;
          if (!filled[j]) continue;
          n++;
          for (let c = 0; c < planes.length; c++) sums[c]! += planes[c]![j]!;
        }
      }
      if (n === 0) next.push(i);
      else done.push([i, sums.map((s) => s / n)]);
    }
    if (done.length === 0) {
      // Nothing known anywhere: leave mid-grey rather than loop.
      for (const i of next) for (const p of planes) p[i] = 0;
      break;
    }
    for (const [i, values] of done) {
      filled[i] = 1;
      for (let c = 0; c < planes.length; c++) planes[c]![i] = values[c]!;
    }
    front = next;
  }
}

/** Fills `hole` (1 = fill) in `planes` (w*h each) in place from patches where `valid` is 1. */
export function patchFill(planes: Float32Array[], w: number, h: number, hole: Uint8Array, valid: Uint8Array, options: PatchFillOptions = {}): void {
  const r = options.patchRadius ?? 3;
  const iterations = options.iterations ?? 4;
  const random = seededRandom(options.seed ?? 1);
  const levels: Level[] = [{ w, h, planes, hole, valid: Uint8Array.from(valid, (v, i) => (v && !hole[i] ? 1 : 0)) }];
  // Coarsen while the hole is still wide at the level below and patches have room.
  for (;;) {
    const last = levels[levels.length - 1]!;
    if (Math.min(last.w, last.h) < 8 * (2 * r + 1) / 2 || levels.length >= 6) break;
    if (maxHoleRadius(last) <= 2 * r) break;
    levels.push(downsample(last));
  }
  let nnf: { targets: Int32Array; sources: Int32Array; w: number } | undefined;
  for (let l = levels.length - 1; l >= 0; l--) {
    const level = levels[l]!;
    const field = new PatchField(level, r, random);
    if (!field.hasSources) {
      if (l === levels.length - 1 || l === 0) peelFill(level);
      nnf = undefined;
      continue;
    }
    if (nnf === undefined) {
      peelFill(level);
      field.randomInit();
    } else {
      field.upscaleFrom(nnf);
      field.vote();
    }
    for (let it = 0; it < iterations; it++) {
      field.search(it);
      field.vote();
    }
    nnf = { targets: field.targets, sources: field.sources, w: level.w };
  }
}

/** The largest chamfer distance from a hole pixel to the nearest known one (cheap bound). */
export function maxHoleRadius(level: Level): number {
  const { w, h, hole } = level;
  const d = new Int32Array(w * h);
  const big = 1 << 28;
  for (let i = 0; i < d.length; i++) d[i] = hole[i] ? big : 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    if (!d[i]) continue;
    if (x > 0) d[i] = Math.min(d[i]!, d[i - 1]! + 1);
    if (y > 0) d[i] = Math.min(d[i]!, d[i - w]! + 1);
  }
  let max = 0;
  for (let y = h - 1; y >= 0; y--) for (let x = w - 1; x >= 0; x--) {
    const i = y * w + x;
    if (!d[i]) continue;
    if (x < w - 1) d[i] = Math.min(d[i]!, d[i + 1]! + 1);
    if (y < h - 1) d[i] = Math.min(d[i]!, d[i + w]! + 1);
    if (d[i]! > max && d[i]! < big) max = d[i]!;
  }
  return max;
}

class PatchField {
  /** Centres of the patches that overlap the hole (pixel indices). */
  readonly targets: Int32Array;
  /** For each target, the centre of its current best source patch. */
  readonly sources: Int32Array;
  private readonly cost: Float64Array;
  private readonly targetAt: Int32Array;
  private readonly sourceOk: Uint8Array;
  private readonly sourceList: Int32Array;

  constructor(private readonly level: Level, private readonly r: number, private readonly random: () => number) {
    const { w, h, hole, valid } = level;
    // Targets: every centre within r (Chebyshev) of a hole pixel.
    const near = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      if (!hole[y * w + x]) continue;
      for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) near[yy * w + xx] = 1;
    }
    const targets: number[] = [];
    this.targetAt = new Int32Array(w * h).fill(-1);
    for (let i = 0; i < near.length; i++) if (near[i]) {
      this.targetAt[i] = targets.length;
      targets.push(i);
    }
    this.targets = Int32Array.from(targets);
    this.sources = new Int32Array(targets.length);
    this.cost = new Float64Array(targets.length);
    // Sources: centres whose whole patch is valid (a running count of invalid pixels).
    this.sourceOk = new Uint8Array(w * h);
    const list: number[] = [];
    const bad = new Int32Array((w + 1) * (h + 1));
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      bad[(y + 1) * (w + 1) + x + 1] = (valid[y * w + x] ? 0 : 1) + bad[y * (w + 1) + x + 1]! + bad[(y + 1) * (w + 1) + x]! - bad[y * (w + 1) + x]!;
    }
    for (let y = r; y < h - r; y++) for (let x = r; x < w - r; x++) {
      const x0 = x - r;
      const y0 = y - r;
      const x1 = x + r + 1;
      const y1 = y + r + 1;
      const n = bad[y1 * (w + 1) + x1]! - bad[y0 * (w + 1) + x1]! - bad[y1 * (w + 1) + x0]! + bad[y0 * (w + 1) + x0]!;
      if (n === 0) {
        this.sourceOk[y * w + x] = 1;
        list.push(y * w + x);
      }
    }
    this.sourceList = Int32Array.from(list);
  }

  get hasSources(): boolean {
    return this.sourceList.length > 0 && this.targets.length > 0;
  }

  private randomSource(): number {
    return this.sourceList[Math.floor(this.random() * this.sourceList.length)]!;
  }

  randomInit(): void {
    for (let t = 0; t < this.targets.length; t++) {
      this.sources[t] = this.randomSource();
      this.cost[t] = this.distance(this.targets[t]!, this.sources[t]!, Infinity);
    }
  }

  /** Carries a coarser level's field up: each target starts from its parent's match, scaled. */
  upscaleFrom(coarse: { targets: Int32Array; sources: Int32Array; w: number }): void {
    const { w } = this.level;
    const parent = new Map<number, number>();
    for (let t = 0; t < coarse.targets.length; t++) parent.set(coarse.targets[t]!, coarse.sources[t]!);
    for (let t = 0; t < this.targets.length; t++) {
      const i = this.targets[t]!;
      const x = i % w;
      const y = (i - x) / w;
      const p = parent.get((y >> 1) * coarse.w + (x >> 1));
      let s = -1;
      if (p !== undefined) {
        const px = p % coarse.w;
        const py = (p - px) / coarse.w;
        const sx = 2 * px + (x & 1);
        const sy = 2 * py + (y & 1);
        if (sx < w && sy < this.level.h && this.sourceOk[sy * w + sx]) s = sy * w + sx;
      }
      this.sources[t] = s >= 0 ? s : this.randomSource();
      this.cost[t] = Infinity;
    }
  }

  /** Sum of squared differences between the patches centred at target `t` and source `s`. */
  private distance(t: number, s: number, stopAbove: number): number {
    const { w, h, planes } = this.level;
    const r = this.r;
    const tx = t % w;
    const ty = (t - tx) / w;
    const sx = s % w;
    const sy = (s - sx) / w;
    let sum = 0;
    for (let dy = -r; dy <= r; dy++) {
      const yy = Math.min(h - 1, Math.max(0, ty + dy));
      const trow = yy * w;
      const srow = (sy + dy) * w;
      for (let dx = -r; dx <= r; dx++) {
        const ti = trow + Math.min(w - 1, Math.max(0, tx + dx));
        const si = srow + sx + dx;
        for (let c = 0; c < planes.length; c++) {
          const plane = planes[c]!;
          const d = plane[ti]! - plane[si]!;
          sum += d * d;
        }
      }
      if (sum > stopAbove) return sum;
    }
    return sum;
  }

  private tryCandidate(t: number, s: number): void {
    if (s < 0 || !this.sourceOk[s] || s === this.sources[t]) return;
    const d = this.distance(this.targets[t]!, s, this.cost[t]!);
    if (d < this.cost[t]!) {
      this.cost[t] = d;
      this.sources[t] = s;
    }
  }

  /** One PatchMatch pass: propagation from scan-order neighbours, then random search. */
  search(pass: number): void {
    const { w, h } = this.level;
    const n = this.targets.length;
    for (let t = 0; t < n; t++) this.cost[t] = this.distance(this.targets[t]!, this.sources[t]!, Infinity);
    const forward = pass % 2 === 0;
    const step = forward ? 1 : -1;
    for (let k = 0; k < n; k++) {
      const t = forward ? k : n - 1 - k;
      const i = this.targets[t]!;
      const x = i % w;
      const y = (i - x) / w;
      // Propagation: the neighbour's match, shifted back by one.
      if (x - step >= 0 && x - step < w) {
        const nt = this.targetAt[i - step]!;
        if (nt >= 0) {
          const s = this.sources[nt]! + step;
          const sx = this.sources[nt]! % w + step;
          if (sx >= 0 && sx < w) this.tryCandidate(t, s);
        }
      }
      if (y - step >= 0 && y - step < h) {
        const nt = this.targetAt[i - step * w]!;
        if (nt >= 0) this.tryCandidate(t, this.sources[nt]! + step * w);
      }
      // Random search around the current best, in windows halving from the level's size.
      const s0 = this.sources[t]!;
      const bx = s0 % w;
      const by = (s0 - bx) / w;
      for (let radius = Math.max(w, h); radius >= 1; radius >>= 1) {
        const cx = Math.round(bx + (this.random() * 2 - 1) * radius);
        const cy = Math.round(by + (this.random() * 2 - 1) * radius);
        if (cx < 0 || cy < 0 || cx >= w || cy >= h) continue;
        this.tryCandidate(t, cy * w + cx);
      }
    }
  }

  /** Each hole pixel becomes the mean of what the overlapping patches' matches put there. */
  vote(): void {
    const { w, h, planes, hole } = this.level;
    const r = this.r;
    const sums = planes.map(() => new Float64Array(w * h));
    const counts = new Float64Array(w * h);
    for (let t = 0; t < this.targets.length; t++) {
      const i = this.targets[t]!;
      const s = this.sources[t]!;
      const tx = i % w;
      const ty = (i - tx) / w;
      const sx = s % w;
      const sy = (s - sx) / w;
      for (let dy = -r; dy <= r; dy++) {
        const yy = ty + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -r; dx <= r; dx++) {
          const xx = tx + dx;
          if (xx < 0 || xx >= w) continue;
          const q = yy * w + xx;
          if (!hole[q]) continue;
          const src = (sy + dy) * w + sx + dx;
          counts[q]! += 1;
          for (let c = 0; c < planes.length; c++) sums[c]![q]! += planes[c]![src]!;
        }
      }
    }
    for (let q = 0; q < counts.length; q++) {
      if (!counts[q]) continue;
      for (let c = 0; c < planes.length; c++) planes[c]![q] = sums[c]![q]! / counts[q]!;
    }
  }
}
