/** Compare's zoom arithmetic, kept apart from the component so it can be tested on its own. */

/** 800 %: eight screen pixels per image pixel. */
export const MAX_ZOOM = 8;

/** The zoom steps +/- go through (beside "fit"). */
export const ZOOM_STEPS: readonly number[] = [0.125, 0.25, 0.5, 1, 2, 4, 8];

/** A zoom between fit (or 100 %, when fit is larger: a small result can be seen pixel for pixel) and 800 % (or fit, when larger). */
export function clampZoom(scale: number, fitScale: number): number {
  return Math.min(Math.max(MAX_ZOOM, fitScale), Math.max(Math.min(fitScale, 1), scale));
}

/** The next step up (direction 1) or down (-1) from `scale`, within clampZoom's range. */
export function nextZoomStep(scale: number, fitScale: number, direction: 1 | -1): number {
  const epsilon = 1e-6;
  const next = direction > 0 ? ZOOM_STEPS.find((s) => s > scale + epsilon) : [...ZOOM_STEPS].reverse().find((s) => s < scale - epsilon);
  return clampZoom(next ?? (direction > 0 ? MAX_ZOOM : 0), fitScale);
}

/**
 * The pan that keeps the image point under `anchor` where it is when the zoom goes from
 * `from` to `to` (pan and anchor in the same screen coordinates).
 */
export function zoomAround(pan: { x: number; y: number }, anchor: { x: number; y: number }, from: number, to: number): { x: number; y: number } {
  const ratio = to / from;
  return { x: anchor.x - (anchor.x - pan.x) * ratio, y: anchor.y - (anchor.y - pan.y) * ratio };
}
