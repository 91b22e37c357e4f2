/**
 * Drops the marks of a damage mask that sit on the photo's own outlines.
 *
 * The detector's commonest mistake is a thin band along a strong outline: a jaw against dark
 * hair, a white collar, a helmet's rim. Damage has another shape: a scratch, a crack or a
 * speck is a line or a blob, brighter or darker than both of its sides, while an outline is
 * a step, darker on one side than on the other. At a scale wider than the mark (a Gaussian of
 * `sigma` px), a line's centre has no slope and a strong curvature; a step's centre has the
 * steepest slope and no curvature. So each thin component of the mask is measured by its
 * median "edgeness", slope / (slope + curvature) in matching units, and dropped when a step
 * explains it better than a line or blob does. Thick components (tears, missing corners)
 * are kept as they are: over them the photo itself is missing. Thick means a thick body:
 * a thin band with one fat knot on it is judged as the band it mostly is.
 *
 * Measured on the repair bench (docs/repair.md): fewer false marks 4 px or more from any
 * damage, and on the real prints the outlines of faces, hands and collars are no longer
 * painted over.
 */
import type { PixelSource } from '../imaging/pixel-source.js';
import { fillLuminance } from './luminance.js';
import { pixelsIn, withoutComponents, type MaskComponent, type Marks } from './mask.js';
import { loadOpenCv, openCvError } from './opencv.js';

export interface StepEdgeOptions {
  /** Scale of the measurement in px (default 3: wider than the thin damage it judges). */
  sigma?: number;
  /** A component whose median edgeness is above this is an outline (default 0.5). */
  limit?: number;
  /** Components whose body is at least this thick (px, MaskComponent.bodyThickness) are never dropped (default 8, as inpaint's wide damage). */
  keepThickness?: number;
}

export interface StepEdgeResult {
  marks: Marks;
  /** Pixels of the input mask that were dropped as outlines. */
  droppedPixels: number;
}

export async function dropStepEdges(source: PixelSource, marks: Marks, options: StepEdgeOptions = {}): Promise<StepEdgeResult> {
  const { width, height } = source;
  const sigma = options.sigma ?? 3;
  const limit = options.limit ?? 0.5;
  const keepThickness = options.keepThickness ?? 8;
  // Judged by the body's width: an outline band with one fat knot on it is still a band.
  const thin = marks.components.filter((c) => c.bodyThickness < keepThickness);
  if (thin.length === 0) return { marks, droppedPixels: 0 };
  // Blurred only over the box around the thin marks, with the Gaussian's reach (4 sigma) and
  // the derivatives' pixel as margin: inside it the values equal a whole-photo blur's.
  const margin = Math.ceil(4 * sigma) + 2;
  const box = {
    x0: Math.max(0, Math.min(...thin.map((c) => c.x0)) - margin),
    y0: Math.max(0, Math.min(...thin.map((c) => c.y0)) - margin),
    x1: Math.min(width - 1, Math.max(...thin.map((c) => c.x1)) + margin),
    y1: Math.min(height - 1, Math.max(...thin.map((c) => c.y1)) + margin),
  };
  const dropped = new Set<MaskComponent>();
  await withSmoothedLuminance(source, box, sigma, (smooth, w, h) => {
    for (const component of thin) {
      const values = Float32Array.from(component.pixels, (i) => {
        const x = i % width;
        return edgeness(smooth, w, h, x - box.x0, (i - x) / width - box.y0, sigma);
      }).sort();
      if (values[Math.floor((values.length - 1) / 2)]! > limit) dropped.add(component);
    }
  });
  return { marks: withoutComponents(marks, dropped), droppedPixels: pixelsIn(dropped) };
}

/**
 * Runs `use` on the luminance of the box (inclusive corners) blurred by a Gaussian of `sigma`
 * px (OpenCV, reflected at the box's edges), `w` x `h`, while OpenCV's buffer is alive.
 */
async function withSmoothedLuminance(source: PixelSource, box: { x0: number; y0: number; x1: number; y1: number }, sigma: number, use: (smooth: Float32Array, w: number, h: number) => void): Promise<void> {
  const w = box.x1 - box.x0 + 1;
  const h = box.y1 - box.y0 + 1;
  const cv = await loadOpenCv();
  const luma = new cv.Mat(h, w, cv.CV_32FC1);
  const smooth = new cv.Mat();
  try {
    fillLuminance(source, box, luma.data32F);
    cv.GaussianBlur(luma, smooth, new cv.Size(0, 0), sigma, sigma, cv.BORDER_REFLECT_101);
    use(smooth.data32F, w, h);
  } catch (thrown) {
    throw openCvError(cv, thrown);
  } finally {
    luma.delete();
    smooth.delete();
  }
}

/** At (x, y) of g (w x h), 0..1: how much more a step (first derivative) than a line or blob (second) describes the smoothed luminance. */
function edgeness(g: Float32Array, w: number, h: number, x: number, y: number, sigma: number): number {
  const at = (xx: number, yy: number) => g[(yy < 0 ? 0 : yy >= h ? h - 1 : yy) * w + (xx < 0 ? 0 : xx >= w ? w - 1 : xx)]!;
  const c = at(x, y);
  const gx = (at(x + 1, y) - at(x - 1, y)) / 2;
  const gy = (at(x, y + 1) - at(x, y - 1)) / 2;
  const xx = at(x + 1, y) - 2 * c + at(x - 1, y);
  const yy = at(x, y + 1) - 2 * c + at(x, y - 1);
  const xy = (at(x + 1, y + 1) - at(x - 1, y + 1) - at(x + 1, y - 1) + at(x - 1, y - 1)) / 4;
  // The Hessian's eigenvalue of largest magnitude: a line's or a blob's curvature.
  const curvature = Math.abs((xx + yy) / 2) + Math.sqrt(((xx - yy) / 2) ** 2 + xy * xy);
  const slope = Math.hypot(gx, gy) * sigma;
  const bend = curvature * sigma * sigma;
  return slope / (slope + bend + 1e-6);
}
