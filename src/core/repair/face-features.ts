/**
 * Keeps the damage repair off eyes, brows, nostrils and lips.
 *
 * On a small portrait an iris, a nostril or the line between the lips has the size and the
 * contrast of a speck or a crack, and painting one out ruins the photo more than the damage
 * it was taken for. The bundled face detector (YuNet) gives five landmarks per face; around
 * them lie protected zones scaled by the distance between the eyes: each eye with its brow,
 * the nose tip, and the mouth. A component of the damage mask with a good share of its pixels
 * (by default 30 %) inside the zones is a feature, or touches one: its pixels inside the zones
 * are left alone. A crack that crosses a face is much longer than a feature, mostly outside
 * the zones, so it is still repaired whole, across the eye too.
 */
import type { DetectedFace } from '../faces/yunet-detector.js';
import type { Marks } from './mask.js';

export interface FaceFeatureResult {
  mask: Uint8Array;
  /** Pixels of the input mask left alone because they were a face's feature. */
  protectedPixels: number;
}

/** An axis-aligned ellipse in the face's own frame, rotated with the eye line. */
interface Zone {
  cx: number;
  cy: number;
  /** Half-axes along and across the eye line. */
  along: number;
  across: number;
  cos: number;
  sin: number;
}

export function protectFaceFeatures(marks: Marks, width: number, height: number, faces: readonly DetectedFace[], options: { insideShare?: number } = {}): FaceFeatureResult {
  const { mask } = marks;
  if (faces.length === 0) return { mask, protectedPixels: 0 };
  const zones = faces.flatMap(featureZones);
  const inside = new Uint8Array(width * height);
  for (const zone of zones) paintZone(inside, width, height, zone);
  const insideShare = options.insideShare ?? 0.3;
  const out = mask.slice();
  let protectedPixels = 0;
  for (const component of marks.components) {
    let within = 0;
    for (const i of component.pixels) within += inside[i]!;
    if (within === 0 || within < insideShare * component.pixels.length) continue;
    // A feature's marks (and whatever touches them) leave the zones; what lies outside stays marked.
    for (const i of component.pixels) {
      if (!inside[i]) continue;
      out[i] = 0;
      protectedPixels++;
    }
  }
  return { mask: out, protectedPixels };
}

/** Eyes with brows, nose tip and mouth, sized by the distance between the eyes. */
function featureZones(face: DetectedFace): Zone[] {
  const [eyeA, eyeB, nose, mouthA, mouthB] = face.landmarks;
  const d = Math.hypot(eyeB.x - eyeA.x, eyeB.y - eyeA.y);
  if (!(d > 1)) return [];
  const cos = (eyeB.x - eyeA.x) / d;
  const sin = (eyeB.y - eyeA.y) / d;
  // "Up" in the face's frame (toward the brows), perpendicular to the eye line.
  const up = { x: sin, y: -cos };
  const zone = (cx: number, cy: number, along: number, across: number): Zone => ({ cx, cy, along, across, cos, sin });
  const eye = (p: { x: number; y: number }) => zone(p.x + up.x * 0.15 * d, p.y + up.y * 0.15 * d, 0.42 * d, 0.4 * d);
  const mouthHalf = Math.hypot(mouthB.x - mouthA.x, mouthB.y - mouthA.y) / 2;
  return [
    eye(eyeA),
    eye(eyeB),
    zone(nose.x, nose.y, 0.32 * d, 0.25 * d),
    zone((mouthA.x + mouthB.x) / 2, (mouthA.y + mouthB.y) / 2, mouthHalf + 0.15 * d, 0.28 * d),
  ];
}

function paintZone(target: Uint8Array, width: number, height: number, z: Zone): void {
  const reach = Math.max(z.along, z.across);
  const x0 = Math.max(0, Math.floor(z.cx - reach));
  const x1 = Math.min(width - 1, Math.ceil(z.cx + reach));
  const y0 = Math.max(0, Math.floor(z.cy - reach));
  const y1 = Math.min(height - 1, Math.ceil(z.cy + reach));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x - z.cx;
      const dy = y - z.cy;
      const a = (dx * z.cos + dy * z.sin) / z.along;
      const b = (-dx * z.sin + dy * z.cos) / z.across;
      if (a * a + b * b <= 1) target[y * width + x] = 1;
    }
  }
}
