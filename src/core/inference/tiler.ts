import type { PixelSource } from '../imaging/pixel-source.js';
export type { PixelSource } from '../imaging/pixel-source.js';

/**
 * Tiles are the unit of work. A photo is cut into tiles of one shape (so tiles from many
 * photos batch together); each tile carries `pad` pixels of real context on every side
 * (mirrored at the photo's border), and only its owned centre is written back. When `pad`
 * covers the model's receptive field the result equals a whole-image run: there is no seam
 * to blend away, because every written pixel saw the same neighbourhood it would have seen
 * in one piece.
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
}

export interface TilePlan {
  imageWidth: number;
  imageHeight: number;
  /** Width and height of every tile's core (the tile size, or the image side when smaller). */
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
      });
    }
  }
  return { imageWidth, imageHeight, coreWidth, coreHeight, pad, tiles };
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
 * Writes one padded tile as planar float32 RGB (0..1) into `target` at `offset`
 * (a batch buffer). A single-channel source is broadcast to three channels.
 */
export function extractTile(source: PixelSource, plan: TilePlan, tile: Tile, target: Float32Array, offset: number): void {
  const { pad } = plan;
  const w = plan.coreWidth + 2 * pad;
  const h = plan.coreHeight + 2 * pad;
  const plane = w * h;
  const scale = 1 / source.maxValue;
  const gray = source.stride < 3;
  const xs = new Int32Array(w);
  for (let x = 0; x < w; x++) xs[x] = reflectIndex(tile.core.x - pad + x, source.width) * source.stride;
  for (let y = 0; y < h; y++) {
    const rowBase = reflectIndex(tile.core.y - pad + y, source.height) * source.width * source.stride;
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

/** Input elements of one padded tile (3 channels). */
export function tileInputLength(plan: TilePlan): number {
  return 3 * (plan.coreWidth + 2 * plan.pad) * (plan.coreHeight + 2 * plan.pad);
}

/** Runs a model on a batch: input N x 3 x H x W (0..1), output N x C x sH x sW. */
export type BatchRunner = (input: Float32Array, dims: [number, number, number, number]) => Promise<Float32Array>;

/** The padded shape every tile of a plan has. */
export function tileDims(plan: TilePlan): { width: number; height: number } {
  return { width: plan.coreWidth + 2 * plan.pad, height: plan.coreHeight + 2 * plan.pad };
}
