import type { PixelSource } from '../imaging/pixel-source.js';
export type { PixelSource } from '../imaging/pixel-source.js';

/**
 * Tiles are the unit of work. Each tile carries `pad` pixels of real context toward its
 * neighbours and only its owned centre is written back. When `pad` covers the model's
 * receptive field the result equals a whole-image run: there is no seam to blend away,
 * because every written pixel saw the same neighbourhood it would have seen in one piece.
 *
 * Two layouts: `planPhotoTiles` (the restore pipeline) splits each side into equal parts and
 * adds context only where the photo continues, so the network computes little more than the
 * photo itself; `planTiles` keeps one shape for every tile (mirrored context at the border),
 * for callers that batch a photo's tiles together (the damage detector).
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Tile {
  index: number;
  /** The region the model runs on, without padding; always the plan's tile shape. */
  core: Rect;
  /** The part of `core` this tile writes to the output; the owned rects partition the image. */
  owned: Rect;
  /** What the network runs on: the core and its context (outside the image it is mirrored). */
  input: Rect;
}

export interface TilePlan {
  imageWidth: number;
  imageHeight: number;
  /** Width and height of the largest tile's core (the tile size, or the image side when smaller). */
  coreWidth: number;
  coreHeight: number;
  pad: number;
  tiles: Tile[];
}

/** Splits one axis into owned spans of `size` and cores of `size` shifted to stay inside. */
function splitAxis(length: number, size: number): Array<{ coreStart: number; ownedStart: number; ownedEnd: number }> {
  const spans: Array<{ coreStart: number; ownedStart: number; ownedEnd: number }> = [];
  for (let start = 0; start < length; start += size) {
    const ownedEnd = Math.min(start + size, length);
    // The last core shifts back so it keeps the full shape; it owns only what is left.
    const coreStart = Math.min(start, length - size);
    spans.push({ coreStart, ownedStart: start, ownedEnd });
  }
  return spans;
}

/**
 * Plans tiles for an image. `tileSize` 0 means one tile for the whole image.
 * Tiles are ordered row by row.
 */
export function planTiles(imageWidth: number, imageHeight: number, tileSize: number, pad: number): TilePlan {
  if (!Number.isInteger(imageWidth) || !Number.isInteger(imageHeight) || imageWidth < 1 || imageHeight < 1) {
    throw new RangeError(`Image size must be positive integers, got ${imageWidth}x${imageHeight}`);
  }
  if (!Number.isInteger(tileSize) || tileSize < 0) throw new RangeError(`Tile size must be 0 or a positive integer, got ${tileSize}`);
  const coreWidth = tileSize === 0 ? imageWidth : Math.min(tileSize, imageWidth);
  const coreHeight = tileSize === 0 ? imageHeight : Math.min(tileSize, imageHeight);
  const tiles: Tile[] = [];
  for (const row of splitAxis(imageHeight, coreHeight)) {
    for (const col of splitAxis(imageWidth, coreWidth)) {
      tiles.push({
        index: tiles.length,
        core: { x: col.coreStart, y: row.coreStart, width: coreWidth, height: coreHeight },
        owned: { x: col.ownedStart, y: row.ownedStart, width: col.ownedEnd - col.ownedStart, height: row.ownedEnd - row.ownedStart },
        input: { x: col.coreStart - pad, y: row.coreStart - pad, width: coreWidth + 2 * pad, height: coreHeight + 2 * pad },
      });
    }
  }
  return { imageWidth, imageHeight, coreWidth, coreHeight, pad, tiles };
}

/**
 * Balanced spans: `length` split into ceil(length / size) parts whose sizes differ by at
 * most one pixel (a 600 px side at tile 256 is 200 + 200 + 200, not 256 + 256 + 88 run as
 * three 256s), each with `pad` context toward a neighbour and none at the photo's border.
 */
export function balancedSpans(length: number, size: number, pad: number): Array<{ start: number; end: number; inputStart: number; inputEnd: number }> {
  const parts = size === 0 ? 1 : Math.ceil(length / size);
  const spans = [];
  for (let i = 0; i < parts; i++) {
    const start = Math.round((i * length) / parts);
    const end = Math.round(((i + 1) * length) / parts);
    spans.push({ start, end, inputStart: Math.max(0, start - pad), inputEnd: Math.min(length, end + pad) });
  }
  return spans;
}

/**
 * The restore pipeline's layout: the least computed area for a tile size. The photo's own
 * border gets no context, which is also what a whole-photo run sees there (the network's
 * zero padding), so border pixels match a whole run exactly. `tileSize` 0 is one tile.
 */
export function planPhotoTiles(imageWidth: number, imageHeight: number, tileSize: number, pad: number): TilePlan {
  const uniform = planTiles(imageWidth, imageHeight, tileSize, pad);
  const tiles: Tile[] = [];
  const rows = balancedSpans(imageHeight, Math.min(uniform.coreHeight, imageHeight), pad);
  const cols = balancedSpans(imageWidth, Math.min(uniform.coreWidth, imageWidth), pad);
  for (const row of rows) {
    for (const col of cols) {
      const owned = { x: col.start, y: row.start, width: col.end - col.start, height: row.end - row.start };
      tiles.push({ index: tiles.length, core: owned, owned, input: { x: col.inputStart, y: row.inputStart, width: col.inputEnd - col.inputStart, height: row.inputEnd - row.inputStart } });
    }
  }
  const coreWidth = Math.max(...cols.map((c) => c.end - c.start));
  const coreHeight = Math.max(...rows.map((r) => r.end - r.start));
  return { imageWidth, imageHeight, coreWidth, coreHeight, pad, tiles };
}

/**
 * The tile run at a larger shape (to share a batch with tiles of another photo): its input
 * grows by real context from its own photo, toward both sides where there is room, and it
 * still writes only what it owns. Undefined when the photo is smaller than the shape: pixels
 * invented past the photo's border would change what the tile computes.
 */
export function growTileInput(tile: Tile, width: number, height: number, imageWidth: number, imageHeight: number): Tile | undefined {
  const x = growSpan(tile.input.x, tile.input.width, width, imageWidth);
  const y = growSpan(tile.input.y, tile.input.height, height, imageHeight);
  if (x === undefined || y === undefined) return undefined;
  return { ...tile, input: { x, y, width, height } };
}

function growSpan(start: number, length: number, target: number, limit: number): number | undefined {
  if (target < length || target > limit) return undefined;
  const extra = target - length;
  const before = Math.min(start, Math.floor(extra / 2));
  const after = Math.min(limit - (start + length), extra - before);
  return start - (extra - after);
}

/** Pixels the network computes for a plan (context included), against the photo's own pixels. */
export function computedPixels(plan: TilePlan): number {
  return plan.tiles.reduce((sum, t) => sum + t.input.width * t.input.height, 0);
}

/** Mirrors an index into [0, length) without repeating the edge pixel (numpy's 'reflect'). */
export function reflectIndex(i: number, length: number): number {
  if (length === 1) return 0;
  const period = 2 * (length - 1);
  let m = i % period;
  if (m < 0) m += period;
  return m < length ? m : period - m;
}

/**
 * Writes one tile's input region as planar float32 RGB (0..1) into `target` at `offset`
 * (a batch buffer). A single-channel source is broadcast to three channels.
 */
export function extractTile(source: PixelSource, tile: Tile, target: Float32Array, offset: number): void {
  const { width: w, height: h } = tile.input;
  const plane = w * h;
  const scale = 1 / source.maxValue;
  const gray = source.stride < 3;
  const xs = new Int32Array(w);
  for (let x = 0; x < w; x++) xs[x] = reflectIndex(tile.input.x + x, source.width) * source.stride;
  for (let y = 0; y < h; y++) {
    const rowBase = reflectIndex(tile.input.y + y, source.height) * source.width * source.stride;
    const out = offset + y * w;
    for (let x = 0; x < w; x++) {
      const s = rowBase + xs[x]!;
      const r = source.data[s]! * scale;
      if (gray) {
        target[out + x] = r;
        target[out + plane + x] = r;
        target[out + 2 * plane + x] = r;
      } else {
        target[out + x] = r;
        target[out + plane + x] = source.data[s + 1]! * scale;
        target[out + 2 * plane + x] = source.data[s + 2]! * scale;
      }
    }
  }
}

/** Input elements of one tile (3 channels). */
export function tileInputLength(tile: Tile): number {
  return 3 * tile.input.width * tile.input.height;
}

/**
 * Runs a model on a batch: input N x 3 x H x W (0..1), output N x C x sH x sW. The input is
 * handed over: the runner may move it to another thread, so callers never reuse it.
 */
export type BatchRunner = (input: Float32Array, dims: [number, number, number, number]) => Promise<Float32Array>;

/** The shape the network runs a tile at (its input region). */
export function tileDims(tile: Tile): { width: number; height: number } {
  return { width: tile.input.width, height: tile.input.height };
}
