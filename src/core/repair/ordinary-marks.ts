/**
 * Drops the marks of a damage mask whose tone the photo has all around them.
 *
 * Damage adds something that does not belong where it lies: the paper showing through a
 * crack, a speck of dust, a scratch brighter or darker than anything near it. The
 * detector's other common mistake on real prints is texture: the light threads of a tweed
 * coat, glints on water, the weave of a knit, which look like specks or short scratches
 * one by one, but have many twins around them. So each small mark is compared with the
 * unmarked pixels in a ring around it (from 3 to `ring` px away): a bright mark whose
 * median luminance the ring's brightest 5 % reach (a dark one: the darkest 5 %) is the
 * photo's own texture and is left alone. A mark much longer than it is wide is kept
 * whatever its tone: a scratch's piece crossing something as light as itself. So is a big or
 * thick one (a tear, a stain, a missing corner against a white border): texture is small.
 *
 * Measured on the repair bench (docs/repair.md): on the real prints most marks on the tweed
 * coat (faded_h) and on the water (faded_f) are left alone; on the synthetic bench precision
 * rises and the pixels 4 px or more from damage change less, with the same whole-photo PSNR.
 */
import type { PixelSource } from '../imaging/pixel-source.js';
import { fillLuminance } from './luminance.js';
import { dilateMask, insideDistance, pixelsIn, withoutComponents, type MaskComponent, type Marks } from './mask.js';

export interface OrdinaryMarkOptions {
  /** Outer radius of the ring, px (default 12). */
  ring?: number;
  /** Share of the ring a mark's tone must lie beyond to count as foreign (default 0.05: its brightest or darkest 5 %). */
  tail?: number;
  /** A mark whose extent squared is at least this many times its area is a line's piece and is kept (default 8). */
  lineRatio?: number;
  /** Marks whose body is at least this thick (px, MaskComponent.bodyThickness) are kept: a tear or a stain, where the photo is missing (default 8, as the outline filter). */
  keepThickness?: number;
  /** Marks of more pixels than this are kept: texture is made of small marks (default 2000). */
  maxPixels?: number;
}

export interface OrdinaryMarkResult {
  marks: Marks;
  /** Pixels of the input mask dropped as the photo's own texture. */
  droppedPixels: number;
}

/** Fewer unmarked pixels than this around a mark say nothing about its surroundings: it is kept. */
const MIN_RING = 20;
/** Pixels this close to any mark are its halo, not its surroundings. */
const HALO = 2;

export function dropOrdinaryMarks(source: PixelSource, marks: Marks, options: OrdinaryMarkOptions = {}): OrdinaryMarkResult {
  const { width, height } = source;
  const ring = options.ring ?? 12;
  const tail = options.tail ?? 0.05;
  const lineRatio = options.lineRatio ?? 8;
  const keepThickness = options.keepThickness ?? 8;
  const maxPixels = options.maxPixels ?? 2000;
  if (marks.components.length === 0) return { marks, droppedPixels: 0 };
  const luma = new Float32Array(width * height);
  fillLuminance(source, { x0: 0, y0: 0, x1: width - 1, y1: height - 1 }, luma);
  const nearMarks = dilateMask(marks.mask, width, height, HALO);
  const dropped = new Set<MaskComponent>();
  for (const component of marks.components) {
    if (component.pixels.length > maxPixels || component.bodyThickness >= keepThickness) continue;
    const extent = Math.max(component.x1 - component.x0, component.y1 - component.y0) + 1;
    if ((extent * extent) / component.pixels.length >= lineRatio) continue;
    const around = ringTones(component, luma, nearMarks, width, height, ring);
    if (around.length < MIN_RING) continue;
    const own = Float32Array.from(component.pixels, (i) => luma[i]!).sort();
    const median = quantile(own, 0.5);
    const foreign = median > quantile(around, 0.5) ? median > quantile(around, 1 - tail) : median < quantile(around, tail);
    if (!foreign) dropped.add(component);
  }
  return { marks: withoutComponents(marks, dropped), droppedPixels: pixelsIn(dropped) };
}

/** Sorted luminance of the unmarked pixels from HALO to `ring` px around a component. */
function ringTones(component: MaskComponent, luma: Float32Array, nearMarks: Uint8Array, width: number, height: number, ring: number): Float32Array {
  const x0 = Math.max(0, component.x0 - ring);
  const y0 = Math.max(0, component.y0 - ring);
  const w = Math.min(width - 1, component.x1 + ring) - x0 + 1;
  const h = Math.min(height - 1, component.y1 + ring) - y0 + 1;
  // Distance to the component: the inside distance of its complement within the box.
  const outside = new Uint8Array(w * h).fill(1);
  for (const i of component.pixels) {
    const x = i % width;
    outside[((i - x) / width - y0) * w + (x - x0)] = 0;
  }
  const distance = insideDistance(outside, w, h);
  const tones: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const d = distance[y * w + x]!;
      const i = (y + y0) * width + x + x0;
      if (d > HALO + 0.5 && d <= ring && !nearMarks[i]) tones.push(luma[i]!);
    }
  }
  return Float32Array.from(tones).sort();
}

function quantile(sorted: Float32Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
}
