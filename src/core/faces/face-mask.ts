/**
 * The soft mask a restored face is pasted back through, defined in crop coordinates: 1 in
 * the middle of the crop, falling smoothly to 0 towards its border, so the face model's
 * edge pixels (padding artefacts) never show and no seam is visible. Square like
 * facexlib's pasted box, with rounded, C1-smooth corners (the product of two ramps).
 */
export interface FeatherOptions {
  /** Fraction of the crop side left out entirely at each border. */
  margin: number;
  /** Fraction of the crop side over which the mask rises from 0 to 1. */
  feather: number;
}

export const DEFAULT_FEATHER: FeatherOptions = { margin: 0.02, feather: 0.12 };

/** Mask weight 0..1 at crop position (u, v) of a size x size crop. */
export function featherWeight(u: number, v: number, size: number, options: FeatherOptions = DEFAULT_FEATHER): number {
  const wu = ramp(Math.min(u + 0.5, size - 0.5 - u), size, options);
  if (wu === 0) return 0;
  return wu * ramp(Math.min(v + 0.5, size - 0.5 - v), size, options);
}

/** 0 within `margin` of the edge, smoothstep up to 1 over `feather`. `d` is the distance to the crop's edge. */
function ramp(d: number, size: number, options: FeatherOptions): number {
  const start = options.margin * size;
  const width = options.feather * size;
  if (d <= start) return 0;
  if (d >= start + width) return 1;
  const t = (d - start) / width;
  return t * t * (3 - 2 * t);
}
