import { applyAffine, type Affine } from './face-geometry.js';
import { cropBounds, inverseWarp } from './face-align.js';
import { DEFAULT_FEATHER, featherWeight, type FeatherOptions } from './face-mask.js';
import type { PlanarImage } from './planar-image.js';

/** The restored photo at target scale, as the engine's OutputCanvas holds it (no alpha). */
export interface FaceCanvas {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly bitDepth: 8 | 16;
  readonly data: Uint8Array | Uint16Array;
}

/**
 * Blends a restored face into the canvas through the feathered mask, scaled by `weight`
 * (0 leaves the canvas untouched, 1 shows the restored face fully in the mask's core).
 * `canvasToCrop` maps canvas pixels to the face crop. Pixels where the mask is 0 are never
 * written. A one-channel canvas receives the face's Rec. 601 luma: grey photos stay grey.
 */
export function pasteFace(canvas: FaceCanvas, restored: PlanarImage, canvasToCrop: Affine, weight: number, feather: FeatherOptions = DEFAULT_FEATHER): void {
  if (!(weight > 0)) return;
  const size = restored.width;
  const region = cropBounds(canvasToCrop, size, canvas.width, canvas.height);
  if (!region) return;
  const face = inverseWarp(restored, canvasToCrop, region);
  const plane = region.width * region.height;
  const max = canvas.bitDepth === 16 ? 65535 : 255;
  const w = Math.min(1, weight);
  const { data, channels } = canvas;
  for (let y = 0; y < region.height; y++) {
    for (let x = 0; x < region.width; x++) {
      const p = applyAffine(canvasToCrop, { x: region.x + x, y: region.y + y });
      const alpha = featherWeight(p.x, p.y, size, feather) * w;
      if (alpha <= 0) continue;
      const i = y * region.width + x;
      const d = ((region.y + y) * canvas.width + region.x + x) * channels;
      const r = face.data[i]! * max;
      const g = face.data[i + plane]! * max;
      const b = face.data[i + 2 * plane]! * max;
      if (channels === 3) {
        data[d] = Math.round(data[d]! + (r - data[d]!) * alpha);
        data[d + 1] = Math.round(data[d + 1]! + (g - data[d + 1]!) * alpha);
        data[d + 2] = Math.round(data[d + 2]! + (b - data[d + 2]!) * alpha);
      } else {
        const luma = 0.299 * r + 0.587 * g + 0.114 * b;
        data[d] = Math.round(data[d]! + (luma - data[d]!) * alpha);
      }
    }
  }
}

/** Canvas pixel -> photo pixel for a canvas `scale` times the photo (pixel centres on integers). */
export function canvasToSource(scale: number): Affine {
  const k = 1 / scale;
  const t = 0.5 * k - 0.5;
  return [k, 0, t, 0, k, t];
}
