import type { PixelSource } from '../inference/tiler.js';

/** Float32 planes (channel after channel), values 0..1: face crops and model outputs. */
export interface PlanarImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Float32Array;
}

/**
 * Bicubic (Keys, a = -0.5) weights for the four taps around a sample position with
 * fractional part t. Written out so the hot loops need no allocation.
 */
export function cubicWeights(t: number, out: Float64Array): void {
  const t2 = t * t;
  const t3 = t2 * t;
  out[0] = -0.5 * t3 + t2 - 0.5 * t;
  out[1] = 1.5 * t3 - 2.5 * t2 + 1;
  out[2] = -1.5 * t3 + 2 * t2 + 0.5 * t;
  out[3] = 0.5 * t3 - 0.5 * t2;
}

/**
 * Clamps an index into [0, length): beyond the photo's border the edge pixel is repeated
 * (OpenCV's BORDER_REPLICATE, as FaceFusion crops faces). Mirroring would hand the network
 * a mirrored half-face wherever a face touches the photo's edge.
 */
function replicate(i: number, length: number): number {
  return i < 0 ? 0 : i >= length ? length - 1 : i;
}

/**
 * Samples interleaved photo pixels (8/16-bit) bicubically as RGB 0..1; grey sources give
 * three equal values. Positions outside the photo take the nearest edge pixel.
 */
export class PixelSampler {
  private readonly wx = new Float64Array(4);
  private readonly wy = new Float64Array(4);
  private readonly gray: boolean;
  private readonly scale: number;

  constructor(private readonly source: PixelSource) {
    this.gray = source.stride < 3;
    this.scale = 1 / source.maxValue;
  }

  /** Writes R, G, B (0..1, not clamped: bicubic may overshoot slightly) into rgb[0..2]. */
  sample(x: number, y: number, rgb: Float64Array): void {
    const { source, wx, wy } = this;
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    cubicWeights(x - x0, wx);
    cubicWeights(y - y0, wy);
    let r = 0;
    let g = 0;
    let b = 0;
    const rowStride = source.width * source.stride;
    for (let j = 0; j < 4; j++) {
      const row = replicate(y0 - 1 + j, source.height) * rowStride;
      let rr = 0;
      let gg = 0;
      let bb = 0;
      for (let i = 0; i < 4; i++) {
        const s = row + replicate(x0 - 1 + i, source.width) * source.stride;
        const w = wx[i]!;
        rr += w * source.data[s]!;
        if (!this.gray) {
          gg += w * source.data[s + 1]!;
          bb += w * source.data[s + 2]!;
        }
      }
      const w = wy[j]!;
      r += w * rr;
      g += w * gg;
      b += w * bb;
    }
    r *= this.scale;
    rgb[0] = r;
    rgb[1] = this.gray ? r : g * this.scale;
    rgb[2] = this.gray ? r : b * this.scale;
  }
}

/** Samples a planar RGB image bicubically, clamping positions to the edge (for the restored face). */
export class PlanarSampler {
  private readonly wx = new Float64Array(4);
  private readonly wy = new Float64Array(4);
  private readonly xs = new Int32Array(4);

  constructor(private readonly image: PlanarImage) {}

  sample(x: number, y: number, rgb: Float64Array): void {
    const { image, wx, wy, xs } = this;
    const { width, height, data } = image;
    const plane = width * height;
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    cubicWeights(x - x0, wx);
    cubicWeights(y - y0, wy);
    for (let i = 0; i < 4; i++) xs[i] = Math.min(width - 1, Math.max(0, x0 - 1 + i));
    let r = 0;
    let g = 0;
    let b = 0;
    for (let j = 0; j < 4; j++) {
      const row = Math.min(height - 1, Math.max(0, y0 - 1 + j)) * width;
      let rr = 0;
      let gg = 0;
      let bb = 0;
      for (let i = 0; i < 4; i++) {
        const s = row + xs[i]!;
        const w = wx[i]!;
        rr += w * data[s]!;
        if (image.channels === 3) {
          gg += w * data[s + plane]!;
          bb += w * data[s + 2 * plane]!;
        }
      }
      const w = wy[j]!;
      r += w * rr;
      g += w * gg;
      b += w * bb;
    }
    rgb[0] = r;
    rgb[1] = image.channels === 3 ? g : r;
    rgb[2] = image.channels === 3 ? b : r;
  }
}
