import type { FaceTemplateName } from '../../shared/model-manifest.js';
import type { PixelSource } from '../inference/tiler.js';
import { affineScale, applyAffine, estimateSimilarity, invertAffine, type Affine, type Point } from './face-geometry.js';
import { faceTemplate } from './face-template.js';
import { PixelSampler, PlanarSampler, type PlanarImage } from './planar-image.js';

/** One face cut out of a photo and turned upright onto the face model's template. */
export interface AlignedFace {
  /** RGB planes, 0..1, size x size. */
  crop: PlanarImage;
  /** Photo pixel coordinates -> crop pixel coordinates. */
  toCrop: Affine;
  size: number;
}

/** The crop a face model takes: its side and the template it was trained with (a FaceModelRunner is one). */
export interface FaceCropSpec {
  readonly size: number;
  readonly template: FaceTemplateName;
}

/** Most sub-samples per axis when a crop shrinks a very large face (8 = 64 samples a pixel). */
const MAX_SUPERSAMPLING = 8;

/**
 * Warps the face with these five landmarks onto the model's template in its crop:
 * least-squares similarity, bicubic sampling with the photo's edge pixels replicated beyond
 * its border, and box prefiltering (supersampling) when the face is larger in the photo than
 * in the crop, so a big scan does not alias.
 */
export function alignFace(source: PixelSource, landmarks: readonly Point[], crop: FaceCropSpec): AlignedFace {
  if (landmarks.length !== 5) throw new RangeError(`Face alignment needs five landmarks, got ${landmarks.length}.`);
  const { size } = crop;
  const toCrop = estimateSimilarity(landmarks, faceTemplate(crop.template, size));
  const toSource = invertAffine(toCrop);
  const plane = size * size;
  const data = new Float32Array(3 * plane);
  const sampler = new PixelSampler(source);
  const k = Math.min(MAX_SUPERSAMPLING, Math.max(1, Math.ceil(1 / affineScale(toCrop) - 1e-6)));
  const rgb = new Float64Array(3);
  const inv = 1 / (k * k);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < k; sy++) {
        for (let sx = 0; sx < k; sx++) {
          const p = applyAffine(toSource, { x: u + (sx + 0.5) / k - 0.5, y: v + (sy + 0.5) / k - 0.5 });
          sampler.sample(p.x, p.y, rgb);
          r += rgb[0]!;
          g += rgb[1]!;
          b += rgb[2]!;
        }
      }
      const i = v * size + u;
      data[i] = clamp01(r * inv);
      data[i + plane] = clamp01(g * inv);
      data[i + 2 * plane] = clamp01(b * inv);
    }
  }
  return { crop: { width: size, height: size, channels: 3, data }, toCrop, size };
}

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Renders a crop back into target coordinates over `region` (RGB planes of the region's
 * size), given target -> crop. Supersamples when the crop is finer than the target.
 * Pixels that map outside the crop repeat its edge; callers mask them away.
 */
export function inverseWarp(crop: PlanarImage, targetToCrop: Affine, region: Region): PlanarImage {
  const { width, height } = region;
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  const sampler = new PlanarSampler(crop);
  const k = Math.min(MAX_SUPERSAMPLING, Math.max(1, Math.ceil(affineScale(targetToCrop) - 1e-6)));
  const inv = 1 / (k * k);
  const rgb = new Float64Array(3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < k; sy++) {
        for (let sx = 0; sx < k; sx++) {
          const p = applyAffine(targetToCrop, { x: region.x + x + (sx + 0.5) / k - 0.5, y: region.y + y + (sy + 0.5) / k - 0.5 });
          sampler.sample(p.x, p.y, rgb);
          r += rgb[0]!;
          g += rgb[1]!;
          b += rgb[2]!;
        }
      }
      const i = y * width + x;
      data[i] = clamp01(r * inv);
      data[i + plane] = clamp01(g * inv);
      data[i + 2 * plane] = clamp01(b * inv);
    }
  }
  return { width, height, channels: 3, data };
}

/** The target-space box (clipped to width x height) that a size x size crop covers. */
export function cropBounds(targetToCrop: Affine, size: number, width: number, height: number): Region | null {
  const toTarget = invertAffine(targetToCrop);
  const corners = [
    { x: -0.5, y: -0.5 },
    { x: size - 0.5, y: -0.5 },
    { x: -0.5, y: size - 0.5 },
    { x: size - 0.5, y: size - 0.5 },
  ].map((c) => applyAffine(toTarget, c));
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c.x))));
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c.y))));
  const x1 = Math.min(width, Math.ceil(Math.max(...corners.map((c) => c.x))) + 1);
  const y1 = Math.min(height, Math.ceil(Math.max(...corners.map((c) => c.y))) + 1);
  if (x1 <= x0 || y1 <= y0) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function clamp01(v: number): number {
  return v > 0 ? (v < 1 ? v : 1) : 0;
}
