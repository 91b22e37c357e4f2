import type { TuningPoint } from '../store/calibration-store.js';

/**
 * Batching across photos where it pays. Balanced photo tiles rarely share a shape across
 * photos of different sizes (a 600 px side at tile 256 runs 212 px inputs, a 500 px side
 * 262), so on a device where batching pays, a batch may run at a slightly larger shared
 * shape: a smaller tile then takes more real context from its own photo (never invented
 * pixels: mirrored or zero fill past the photo's border measured 49.6 and 38.1 dB against a
 * whole-photo run, under the 50 dB bar), and only its owned centre is written back. Whether
 * that beats running the equal shapes alone is a cost question: padding adds computed pixels,
 * a larger batch saves the per-run cost.
 */

/** A queued tile as grouping sees it: the shape it runs at, and the largest it can grow to (its photo). */
export interface GroupTile {
  width: number;
  height: number;
  maxWidth: number;
  maxHeight: number;
}

/** Predicted milliseconds of one run: a fixed part per run and a part per computed pixel. */
export interface BatchCostModel {
  fixedMs: number;
  msPerPixel: number;
}

export interface BatchGroup {
  /** The shape every member runs at. */
  width: number;
  height: number;
  /** Indices into the tiles given, the head (index 0) first. */
  members: number[];
  /** Pixels the network computes for this batch (members x shape). */
  computedPixels: number;
  /** Pixels of the members at their own shapes (what an unpadded run would compute). */
  tilePixels: number;
  /** Predicted run time per own tile pixel (computed pixels per tile pixel without a cost model). */
  score: number;
}

/**
 * The batch for the head tile (index 0, the oldest queued): each candidate shape is the head's
 * own or the smallest shape holding it and one other tile; a candidate's members are the
 * tiles that fit it, least padding first, each joining while it lowers (or keeps) the
 * predicted time per own pixel, as many as `batchFor` allows at that shape (memory, the
 * device's useful batch). The candidate with the least predicted time per own pixel wins,
 * and equal scores keep the head's own shape. Without a cost model, or at batch 1, only equal
 * shapes are grouped: padding then only adds work.
 */
export function chooseBatchGroup(tiles: readonly GroupTile[], options: { batchFor: (width: number, height: number) => number; cost?: BatchCostModel }): BatchGroup {
  const head = tiles[0];
  if (!head) throw new RangeError('chooseBatchGroup needs the head tile');
  const shapes = new Map<string, { width: number; height: number }>([[`${head.width}x${head.height}`, { width: head.width, height: head.height }]]);
  if (options.cost && options.cost.fixedMs > 0) {
    for (const tile of tiles.slice(1)) {
      const shape = { width: Math.max(head.width, tile.width), height: Math.max(head.height, tile.height) };
      if (fits(head, shape) && fits(tile, shape)) shapes.set(`${shape.width}x${shape.height}`, shape);
    }
  }
  let best: BatchGroup | undefined;
  for (const shape of shapes.values()) {
    const group = groupAt(tiles, shape, Math.max(1, options.batchFor(shape.width, shape.height)), options.cost);
    if (!best || group.score < best.score - 1e-12) best = group;
  }
  return best!;
}

function fits(tile: GroupTile, shape: { width: number; height: number }): boolean {
  return tile.width <= shape.width && tile.height <= shape.height && shape.width <= tile.maxWidth && shape.height <= tile.maxHeight;
}

function groupAt(tiles: readonly GroupTile[], shape: { width: number; height: number }, batch: number, cost: BatchCostModel | undefined): BatchGroup {
  const area = shape.width * shape.height;
  const scoreOf = (members: number, tilePixels: number) => (cost ? cost.fixedMs + cost.msPerPixel * members * area : members * area) / tilePixels;
  const others = tiles
    .map((tile, index) => ({ index, pixels: tile.width * tile.height }))
    .filter(({ index }) => index > 0 && fits(tiles[index]!, shape))
    .sort((a, b) => b.pixels - a.pixels || a.index - b.index);
  const members = [0];
  let tilePixels = tiles[0]!.width * tiles[0]!.height;
  // Least padding first; a tile joins only when it does not raise the time per own pixel.
  for (const other of others) {
    if (members.length >= batch) break;
    if (scoreOf(members.length + 1, tilePixels + other.pixels) > scoreOf(members.length, tilePixels) * (1 + 1e-12)) continue;
    members.push(other.index);
    tilePixels += other.pixels;
  }
  return { ...shape, members, computedPixels: members.length * area, tilePixels, score: scoreOf(members.length, tilePixels) };
}

/**
 * The run cost at the tuned tile from the tuner's points: with batch 1 and the largest batch
 * measured there, time = fixed + per-pixel x pixels (the per-run part is what batching saves).
 * Undefined where no batch above 1 was measured (a CPU: batching did not pay, so none is grouped).
 */
export function batchCostModel(points: readonly TuningPoint[], tile: number, pad: number): BatchCostModel | undefined {
  const atTile = points.filter((p) => p.tile === tile);
  const single = atTile.find((p) => p.batch === 1);
  const batched = atTile.filter((p) => p.batch > 1).sort((a, b) => b.batch - a.batch)[0];
  if (!single || !batched) return undefined;
  const pixels = (tile + 2 * pad) ** 2;
  const ms = (p: TuningPoint) => (p.usPerPixel * p.batch * tile * tile) / 1000;
  const msPerPixel = Math.max(0, (ms(batched) - ms(single)) / ((batched.batch - 1) * pixels));
  return { fixedMs: Math.max(0, ms(single) - msPerPixel * pixels), msPerPixel };
}
