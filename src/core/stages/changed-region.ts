import type { PixelSource } from '../imaging/pixel-source.js';
import type { Rect } from '../inference/tiler.js';
import { maskComponents } from '../repair/mask.js';

/** Changed pixels closer than this (about) fall into one rectangle: fewer, larger network runs instead of many slivers. */
const CLUSTER_CELL = 16;

/**
 * Where two images of one size differ, as the bounding boxes of clusters of differing
 * pixels (pixels in touching 16 px cells share a cluster). Empty when they are equal.
 */
export function changedRects(a: PixelSource, b: PixelSource): Rect[] {
  if (a.width !== b.width || a.height !== b.height || a.stride !== b.stride) throw new RangeError('changedRects compares images of one size and layout');
  const { width, height, stride } = a;
  const cols = Math.ceil(width / CLUSTER_CELL);
  const rows = Math.ceil(height / CLUSTER_CELL);
  // Per cell: the bounding box of its differing pixels (x0, y0, x1, y1), or x0 = -1.
  const boxes = new Int32Array(cols * rows * 4).fill(-1);
  for (let y = 0; y < height; y++) {
    const row = y * width * stride;
    for (let x = 0; x < width; x++) {
      const o = row + x * stride;
      let differs = false;
      for (let c = 0; c < stride; c++) if (a.data[o + c] !== b.data[o + c]) differs = true;
      if (!differs) continue;
      const k = (Math.floor(y / CLUSTER_CELL) * cols + Math.floor(x / CLUSTER_CELL)) * 4;
      if (boxes[k] === -1) boxes.set([x, y, x, y], k);
      else {
        boxes[k] = Math.min(boxes[k]!, x);
        boxes[k + 2] = Math.max(boxes[k + 2]!, x);
        boxes[k + 3] = y;
      }
    }
  }
  // Clusters: the 8-connected groups of cells with a difference, each the union of its cells' boxes.
  const cells = new Uint8Array(cols * rows).map((_, cell) => (boxes[cell * 4] === -1 ? 0 : 1));
  const rects: Rect[] = [];
  for (const cluster of maskComponents(cells, cols, rows)) {
    let [x0, y0, x1, y1] = [width, height, -1, -1];
    for (const cell of cluster.pixels) {
      x0 = Math.min(x0, boxes[cell * 4]!);
      y0 = Math.min(y0, boxes[cell * 4 + 1]!);
      x1 = Math.max(x1, boxes[cell * 4 + 2]!);
      y1 = Math.max(y1, boxes[cell * 4 + 3]!);
    }
    rects.push({ x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 });
  }
  return rects;
}

/** The rectangle grown by `by` pixels on every side, inside a width x height image. */
export function growRect(rect: Rect, by: number, width: number, height: number): Rect {
  const x = Math.max(0, rect.x - by);
  const y = Math.max(0, rect.y - by);
  return { x, y, width: Math.min(width, rect.x + rect.width + by) - x, height: Math.min(height, rect.y + rect.height + by) - y };
}

export function rectsOverlap(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Rectangles that overlap are replaced by their bounding box, until none overlap (so no pixel is computed twice). */
export function mergeRects(rects: readonly Rect[]): Rect[] {
  const merged = rects.filter((r) => r.width > 0 && r.height > 0).map((r) => ({ ...r }));
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < merged.length && !changed; i++) {
      for (let j = i + 1; j < merged.length; j++) {
        if (!rectsOverlap(merged[i]!, merged[j]!)) continue;
        const [a, b] = [merged[i]!, merged[j]!];
        const x = Math.min(a.x, b.x);
        const y = Math.min(a.y, b.y);
        merged[i] = { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
        merged.splice(j, 1);
        changed = true;
        break;
      }
    }
  }
  return merged;
}

/** The photo pixels under a canvas rectangle of a canvas `scale` times the photo (rounded outward). */
export function canvasRectToPhoto(rect: Rect, scale: number): Rect {
  const x = Math.floor(rect.x / scale);
  const y = Math.floor(rect.y / scale);
  return { x, y, width: Math.ceil((rect.x + rect.width) / scale) - x, height: Math.ceil((rect.y + rect.height) / scale) - y };
}

/** Pixels covered by disjoint rectangles. */
export function rectsArea(rects: readonly Rect[]): number {
  return rects.reduce((sum, r) => sum + r.width * r.height, 0);
}
