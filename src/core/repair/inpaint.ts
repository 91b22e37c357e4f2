/**
 * Inpainting of damaged pixels (scratches, cracks, dust, tears) given a binary damage mask.
 *
 * 1. The mask grows by `grow` px (default 1) to take in the halo around each defect.
 * 2. Every pixel of the grown mask is filled with OpenCV's Telea inpainting (fast marching:
 *    each pixel from a weighted average of known pixels within `radius`, following the
 *    isophotes). For thin damage that is the answer.
 * 3. Connected components of the grown mask thicker than `wideThickness` px (tears, missing
 *    corners, wide cracks) are filled again with multi-scale patch synthesis (patch-fill.ts),
 *    from the undamaged surroundings of each component: Telea smears the rim of a wide hole
 *    into streaks. Measured on synthetic damage in docs/repair.md.
 *
 * Pixels outside the grown mask are never written: the result starts as a byte copy of the
 * input, and alpha is never touched. 16-bit photos stay at 16-bit precision: OpenCV's inpaint
 * takes one 16-bit channel at a time (8-bit takes three at once), and the patch synthesis
 * works in float sample units.
 */
import { type RepairImage, checkImage, withData } from './image.js';
import { dilateMask, maskComponents } from './mask.js';
import { type OpenCv, type CvMat, loadOpenCv, openCvError } from './opencv.js';
import { type PatchFillOptions, patchFill } from './patch-fill.js';
import { smoothFill } from './smooth-fill.js';

export type InpaintMethod = 'auto' | 'telea' | 'ns';

export interface InpaintOptions {
  /** How far the mask grows before filling, in px (0-2, default 1). */
  grow?: number;
  /** 'auto' (default): Telea for thin damage, patch synthesis for wide. 'telea' / 'ns': OpenCV's method for everything. */
  method?: InpaintMethod;
  /** OpenCV's neighbourhood radius in px (default 3). */
  radius?: number;
  /** Components of the grown mask thicker than this (px) count as wide (default 8: damage over ~6 px plus the halo). */
  wideThickness?: number;
  /** How wide components are refilled in 'auto': 'smooth' (default, multi-scale membrane) or 'patch' (exemplar synthesis). */
  wideMethod?: 'smooth' | 'patch';
  patch?: PatchFillOptions;
}

export interface InpaintResult<T extends RepairImage> {
  image: T;
  /** The mask after growing: the only pixels that may differ from the input. */
  grownMask: Uint8Array;
  /** Damaged pixels (grown) filled by OpenCV alone, and by patch synthesis. */
  thinPixels: number;
  widePixels: number;
  wideComponents: number;
}

export async function inpaint<T extends RepairImage>(image: T, mask: Uint8Array, options: InpaintOptions = {}): Promise<InpaintResult<T>> {
  checkImage(image);
  const { width, height } = image;
  if (mask.length !== width * height) throw new Error(`the mask has ${mask.length} entries for a ${width}x${height} image`);
  const grow = Math.min(2, Math.max(0, Math.round(options.grow ?? 1)));
  const method = options.method ?? 'auto';
  const grownMask = dilateMask(mask, width, height, grow);
  const out = image.pixels.data.slice();
  const result = withData(image, out);
  let damaged = 0;
  for (let i = 0; i < grownMask.length; i++) damaged += grownMask[i]!;
  if (damaged === 0) return { image: result, grownMask, thinPixels: 0, widePixels: 0, wideComponents: 0 };

  const cv = await loadOpenCv();
  openCvFill(cv, image, out, grownMask, options.radius ?? 3, method === 'ns' ? cv.INPAINT_NS : cv.INPAINT_TELEA);

  let widePixels = 0;
  let wideComponents = 0;
  if (method === 'auto') {
    const wideThickness = options.wideThickness ?? 8;
    for (const component of maskComponents(grownMask, width, height)) {
      if (component.thickness <= wideThickness) continue;
      wideComponents++;
      widePixels += component.pixels.length;
      fillWide(image, out, grownMask, component, options.wideMethod ?? 'smooth', options.patch ?? {});
    }
  }
  return { image: result, grownMask, thinPixels: damaged - widePixels, widePixels, wideComponents };
}

/** OpenCV's inpainting of every grown-mask pixel, on the mask's bounding box plus the radius. */
function openCvFill(cv: OpenCv, image: RepairImage, out: Uint8Array | Uint16Array, mask: Uint8Array, radius: number, flags: number): void {
  const { width, height, colorChannels } = image;
  const stride = image.pixels.stride;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    if (!mask[y * width + x]) continue;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  const margin = Math.ceil(radius) + 2;
  x0 = Math.max(0, x0 - margin);
  y0 = Math.max(0, y0 - margin);
  x1 = Math.min(width - 1, x1 + margin);
  y1 = Math.min(height - 1, y1 + margin);
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const sixteen = image.bitDepth === 16;
  // 8-bit colour goes in one call (CV_8UC3); 16-bit only as one channel at a time (CV_16UC1).
  const passes: number[][] = sixteen || colorChannels === 1 ? Array.from({ length: colorChannels }, (_, c) => [c]) : [[0, 1, 2]];
  const mats: CvMat[] = [];
  const track = <M extends CvMat>(m: M): M => {
    mats.push(m);
    return m;
  };
  try {
    const maskMat = track(new cv.Mat(h, w, cv.CV_8UC1));
    const md = maskMat.data;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) md[y * w + x] = mask[(y + y0) * width + x + x0] ? 255 : 0;
    for (const channels of passes) {
      const n = channels.length;
      const type = sixteen ? cv.CV_16UC1 : n === 3 ? cv.CV_8UC3 : cv.CV_8UC1;
      const src = track(new cv.Mat(h, w, type));
      const dst = track(new cv.Mat());
      const sd = sixteen ? src.data16U : src.data;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const from = ((y + y0) * width + x + x0) * stride;
        const to = (y * w + x) * n;
        for (let k = 0; k < n; k++) sd[to + k] = out[from + channels[k]!]!;
      }
      try {
        cv.inpaint(src, maskMat, dst, radius, flags);
      } catch (thrown) {
        throw openCvError(cv, thrown);
      }
      const dd = sixteen ? dst.data16U : dst.data;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        if (!md[y * w + x]) continue;
        const to = ((y + y0) * width + x + x0) * stride;
        const from = (y * w + x) * n;
        for (let k = 0; k < n; k++) out[to + channels[k]!] = dd[from + k]!;
      }
    }
  } finally {
    for (const m of mats) m.delete();
  }
}

/** Refills one wide component by patch synthesis from the undamaged pixels around it. */
function fillWide(image: RepairImage, out: Uint8Array | Uint16Array, mask: Uint8Array, component: { pixels: Int32Array; x0: number; y0: number; x1: number; y1: number }, how: 'smooth' | 'patch', options: PatchFillOptions): void {
  const { width, height, colorChannels } = image;
  const stride = image.pixels.stride;
  const size = Math.max(component.x1 - component.x0 + 1, component.y1 - component.y0 + 1);
  const margin = how === 'smooth' ? 4 : Math.max(24, Math.min(160, Math.round(size)));
  const x0 = Math.max(0, component.x0 - margin);
  const y0 = Math.max(0, component.y0 - margin);
  const x1 = Math.min(width - 1, component.x1 + margin);
  const y1 = Math.min(height - 1, component.y1 + margin);
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const planes = Array.from({ length: colorChannels }, () => new Float32Array(w * h));
  const hole = new Uint8Array(w * h);
  const valid = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y + y0) * width + x + x0;
    valid[y * w + x] = mask[i] ? 0 : 1;
    for (let c = 0; c < colorChannels; c++) planes[c]![y * w + x] = out[i * stride + c]!;
  }
  for (const i of component.pixels) {
    const x = i % width;
    const y = (i - x) / width;
    hole[(y - y0) * w + x - x0] = 1;
  }
  if (how === 'smooth') smoothFill(planes, w, h, hole);
  else patchFill(planes, w, h, hole, valid, options);
  const max = image.pixels.maxValue;
  for (const i of component.pixels) {
    const x = i % width;
    const y = (i - x) / width;
    const j = (y - y0) * w + x - x0;
    for (let c = 0; c < colorChannels; c++) out[i * stride + c] = Math.min(max, Math.max(0, Math.round(planes[c]![j]!)));
  }
}
