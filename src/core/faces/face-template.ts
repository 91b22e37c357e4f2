import type { FaceTemplateName } from '../../shared/model-manifest.js';
import type { Point } from './face-geometry.js';

/**
 * The five-point alignment templates, each in image order: the eye on the left of the
 * picture (the subject's right eye), the other eye, the nose tip, the mouth corner on the
 * left of the picture, the other mouth corner. YuNet reports its landmarks in this order.
 * Coordinates put pixel centres on integers, as OpenCV's warpAffine does (facexlib and
 * FaceFusion both warp with it).
 */
interface Template {
  /** The crop side the points are given for (1 = normalised, FaceFusion's form). */
  side: number;
  points: readonly Point[];
}

const TEMPLATES: Record<FaceTemplateName, Template> = {
  // facexlib's FaceRestoreHelper at 512 (GFPGAN, CodeFormer, GPEN-BFR-512); FaceFusion's
  // 'ffhq_512' is the same template normalised (0.37691676 x 512 = 192.98138, ...).
  ffhq: {
    side: 512,
    points: [
      { x: 192.98138, y: 239.94708 },
      { x: 318.90277, y: 240.1936 },
      { x: 256.63416, y: 314.01935 },
      { x: 201.26117, y: 371.41043 },
      { x: 313.08905, y: 371.15118 },
    ],
  },
  // FaceFusion's 'arcface_128' (face_helper.py; 'arcface_128_v2' in older versions), which it
  // aligns its GPEN-BFR-256 export with: the face about 12 % larger than FFHQ's, the eyes higher.
  arcface_128: {
    side: 1,
    points: [
      { x: 0.36167656, y: 0.40387734 },
      { x: 0.63696719, y: 0.40235469 },
      { x: 0.50019687, y: 0.56044219 },
      { x: 0.38710391, y: 0.72160547 },
      { x: 0.61507734, y: 0.72034453 },
    ],
  },
};

/** Where a face model with this template wants the five landmarks in its `size` x `size` crop. */
export function faceTemplate(name: FaceTemplateName, size: number): Point[] {
  const { side, points } = TEMPLATES[name];
  const k = size / side;
  return points.map((p) => ({ x: p.x * k, y: p.y * k }));
}
