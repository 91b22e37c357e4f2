import { type Rect, type Tile, type TilePlan, balancedSpans } from './tiler.js';

/**
 * Tiles that cover only some rectangles of a photo ("Repair again": the part an edit
 * changed). Each rectangle is split into balanced parts of at most `tileSize` (0: one part),
 * and each part reads `pad` pixels of context wherever the photo continues and none at its
 * border, as `planPhotoTiles` does, so a written pixel sees what it would see in a full run.
 * The rectangles must not overlap; the plan keeps the photo's size, so its tiles write into
 * a canvas of the whole photo.
 */
export function planRegionTiles(imageWidth: number, imageHeight: number, rects: readonly Rect[], tileSize: number, pad: number): TilePlan {
  const tiles: Tile[] = [];
  for (const rect of rects) {
    for (const [y, height] of parts(rect.y, rect.height, tileSize)) {
      for (const [x, width] of parts(rect.x, rect.width, tileSize)) {
        const owned = { x, y, width, height };
        const x0 = Math.max(0, x - pad);
        const y0 = Math.max(0, y - pad);
        const input = { x: x0, y: y0, width: Math.min(imageWidth, x + width + pad) - x0, height: Math.min(imageHeight, y + height + pad) - y0 };
        tiles.push({ index: tiles.length, core: owned, owned, input });
      }
    }
  }
  const coreWidth = Math.max(1, ...tiles.map((t) => t.owned.width));
  const coreHeight = Math.max(1, ...tiles.map((t) => t.owned.height));
  return { imageWidth, imageHeight, coreWidth, coreHeight, pad, tiles };
}

/** [start, length] of the balanced parts of a span (the tiler's own split), placed at `start`. */
function parts(start: number, length: number, size: number): Array<[number, number]> {
  return balancedSpans(length, size, 0).map((span) => [start + span.start, span.end - span.start]);
}
