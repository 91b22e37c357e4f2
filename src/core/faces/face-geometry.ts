/**
 * 2-D geometry for face alignment. Coordinates put pixel centres on integers (OpenCV's
 * convention), so a transform estimated from landmarks maps pixel centres to pixel centres.
 */

export interface Point {
  x: number;
  y: number;
}

/** Row-major 2x3 affine matrix: x' = a*x + b*y + c, y' = d*x + e*y + f. */
export type Affine = readonly [number, number, number, number, number, number];

export function applyAffine(m: Affine, p: Point): Point {
  return { x: m[0] * p.x + m[1] * p.y + m[2], y: m[3] * p.x + m[4] * p.y + m[5] };
}

export function invertAffine(m: Affine): Affine {
  const det = m[0] * m[4] - m[1] * m[3];
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new RangeError('The face transform is degenerate (all landmarks on one point).');
  const a = m[4] / det;
  const b = -m[1] / det;
  const d = -m[3] / det;
  const e = m[0] / det;
  return [a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])];
}

/** `outer` after `inner`: applyAffine(compose(outer, inner), p) = outer(inner(p)). */
export function composeAffine(outer: Affine, inner: Affine): Affine {
  return [
    outer[0] * inner[0] + outer[1] * inner[3],
    outer[0] * inner[1] + outer[1] * inner[4],
    outer[0] * inner[2] + outer[1] * inner[5] + outer[2],
    outer[3] * inner[0] + outer[4] * inner[3],
    outer[3] * inner[1] + outer[4] * inner[4],
    outer[3] * inner[2] + outer[4] * inner[5] + outer[5],
  ];
}

/** Uniform scale of a similarity (or the geometric mean scale of any affine). */
export function affineScale(m: Affine): number {
  return Math.sqrt(Math.abs(m[0] * m[4] - m[1] * m[3]));
}

/**
 * Least-squares similarity (rotation, uniform scale, translation; no reflection) taking
 * `from` onto `to`: the closed-form solution of min sum |s R p + t - q|^2, as
 * skimage.transform.SimilarityTransform and cv2.estimateAffinePartial2D (without RANSAC)
 * compute it for the 5-point face template.
 */
export function estimateSimilarity(from: readonly Point[], to: readonly Point[]): Affine {
  if (from.length !== to.length || from.length < 2) throw new RangeError(`A similarity needs at least two point pairs, got ${from.length} and ${to.length}.`);
  const n = from.length;
  let fx = 0;
  let fy = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]!.x;
    fy += from[i]!.y;
    tx += to[i]!.x;
    ty += to[i]!.y;
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  // With centred points, the optimum is s*cos = sum(p.q) / sum|p|^2, s*sin = sum(p x q) / sum|p|^2.
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const px = from[i]!.x - fx;
    const py = from[i]!.y - fy;
    const qx = to[i]!.x - tx;
    const qy = to[i]!.y - ty;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm < 1e-12) throw new RangeError('The face landmarks coincide; no alignment is possible.');
  const a = dot / norm;
  const b = cross / norm;
  return [a, -b, tx - (a * fx - b * fy), b, a, ty - (b * fx + a * fy)];
}
