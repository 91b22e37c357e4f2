import type { Point } from './face-geometry.js';

/**
 * The FFHQ five-point template at 512x512 used by facexlib's FaceRestoreHelper (and so by
 * GFPGAN, CodeFormer and the GPEN exports): in image order, the eye on the left of the
 * picture (the subject's right eye), the other eye, the nose tip, the mouth corner on the
 * left of the picture, the other mouth corner. YuNet reports its landmarks in this order.
 */
const FFHQ_TEMPLATE_512: readonly Point[] = [
  { x: 192.98138, y: 239.94708 },
  { x: 318.90277, y: 240.1936 },
  { x: 256.63416, y: 314.01935 },
  { x: 201.26117, y: 371.41043 },
  { x: 313.08905, y: 371.15118 },
];

/** The template scaled to a square face crop of `size` pixels (256 for GPEN-BFR-256, 512 for most). */
export function faceTemplate(size: number): Point[] {
  const k = size / 512;
  return FFHQ_TEMPLATE_512.map((p) => ({ x: p.x * k, y: p.y * k }));
}
