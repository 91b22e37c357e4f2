import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computedPixels, extractTile, growTileInput, planPhotoTiles, planTiles, reflectIndex, tileInputLength } from '../../../src/core/inference/tiler.js';

test('owned regions partition the image exactly once, and every core has the plan shape inside the image', () => {
  for (const [w, h, tile] of [
    [451, 300, 128],
    [64, 64, 64],
    [65, 17, 64],
    [20000, 16, 64],
    [1, 1, 64],
    [300, 200, 0],
  ] as const) {
    const plan = planTiles(w, h, tile, 8);
    const covered = new Uint8Array(w * h);
    for (const t of plan.tiles) {
      assert.equal(t.core.width, plan.coreWidth);
      assert.equal(t.core.height, plan.coreHeight);
      assert.ok(t.core.x >= 0 && t.core.x + t.core.width <= w, `core inside horizontally for ${w}x${h}`);
      assert.ok(t.core.y >= 0 && t.core.y + t.core.height <= h);
      assert.ok(t.owned.x >= t.core.x && t.owned.x + t.owned.width <= t.core.x + t.core.width, 'owned inside core');
      for (let y = t.owned.y; y < t.owned.y + t.owned.height; y++) for (let x = t.owned.x; x < t.owned.x + t.owned.width; x++) covered[y * w + x]!++;
    }
    assert.ok(covered.every((c) => c === 1), `every pixel owned once for ${w}x${h} tile ${tile}`);
  }
});

test('tile 0 is one tile for the whole image', () => {
  const plan = planTiles(300, 200, 0, 16);
  assert.equal(plan.tiles.length, 1);
  assert.deepEqual([plan.coreWidth, plan.coreHeight], [300, 200]);
});

test('reflectIndex mirrors without repeating the edge, also for tiny images', () => {
  assert.deepEqual([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6].map((i) => reflectIndex(i, 4)), [3, 2, 1, 0, 1, 2, 3, 2, 1, 0]);
  assert.deepEqual([-5, 0, 7].map((i) => reflectIndex(i, 1)), [0, 0, 0]);
  assert.deepEqual([-3, -1, 2, 4].map((i) => reflectIndex(i, 2)), [1, 1, 0, 0]);
});

test('extractTile writes planar RGB in 0..1 with reflected borders, and broadcasts grey', () => {
  const width = 3;
  const height = 2;
  const rgb = new Uint8Array([0, 10, 20, 255, 0, 0, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140]);
  const plan = planTiles(width, height, 0, 1);
  const out = new Float32Array(tileInputLength(plan.tiles[0]!));
  extractTile({ width, height, stride: 3, data: rgb, maxValue: 255 }, plan.tiles[0]!, out, 0);
  const w = width + 2;
  const h = height + 2;
  // Padded (0,0) reflects to image (1,1) = pixel index 4 -> R 90.
  assert.equal(out[0], Math.fround(90 / 255));
  // Padded (1,1) is image (0,0): R 0, G 10, B 20.
  assert.equal(out[1 * w + 1], 0);
  assert.equal(out[w * h + 1 * w + 1], Math.fround(10 / 255));
  assert.equal(out[2 * w * h + 1 * w + 1], Math.fround(20 / 255));

  const grey = new Uint16Array([0, 65535, 32768, 1, 2, 3]);
  const g = new Float32Array(tileInputLength(plan.tiles[0]!));
  extractTile({ width, height, stride: 1, data: grey, maxValue: 65535 }, plan.tiles[0]!, g, 0);
  const at = 1 * w + 2; // image (1,0)
  assert.equal(g[at], 1);
  assert.equal(g[w * h + at], 1);
  assert.equal(g[2 * w * h + at], 1);
});

test('photo tiles: balanced parts that partition the photo, with context only toward a neighbour', () => {
  for (const [w, h, tile] of [
    [600, 400, 256],
    [451, 300, 128],
    [65, 17, 64],
    [1, 1, 64],
    [741, 500, 0],
  ] as const) {
    const pad = 12;
    const plan = planPhotoTiles(w, h, tile, pad);
    const covered = new Uint8Array(w * h);
    const widths = new Set<number>();
    for (const t of plan.tiles) {
      widths.add(t.owned.width);
      assert.ok(t.input.x >= 0 && t.input.y >= 0 && t.input.x + t.input.width <= w && t.input.y + t.input.height <= h, `input inside the photo for ${w}x${h}`);
      // Context is pad pixels where the photo continues and none at its border.
      assert.equal(t.owned.x - t.input.x, Math.min(pad, t.owned.x));
      assert.equal(t.input.x + t.input.width - (t.owned.x + t.owned.width), Math.min(pad, w - (t.owned.x + t.owned.width)));
      for (let y = t.owned.y; y < t.owned.y + t.owned.height; y++) for (let x = t.owned.x; x < t.owned.x + t.owned.width; x++) covered[y * w + x]!++;
    }
    assert.ok(covered.every((c) => c === 1), `every pixel owned once for ${w}x${h} tile ${tile}`);
    assert.ok(Math.max(...widths) - Math.min(...widths) <= 1, `balanced widths for ${w}x${h}: ${[...widths].join(',')}`);
  }
});

test('photo tiles compute far less than the uniform layout: 600x400 at tile 256', () => {
  const photo = planPhotoTiles(600, 400, 256, 12);
  assert.deepEqual(photo.tiles.map((t) => `${t.owned.width}x${t.owned.height}`), ['200x200', '200x200', '200x200', '200x200', '200x200', '200x200']);
  // 3x2 tiles of 200 px with 24 px of context at each of the 2 vertical and 1 horizontal seams.
  assert.equal(computedPixels(photo), (600 + 2 * 24) * (400 + 24));
  const uniform = planTiles(600, 400, 256, 12);
  assert.equal(computedPixels(uniform), 6 * 280 * 280);
  assert.equal(computedPixels(planPhotoTiles(600, 400, 0, 12)), 600 * 400);
});

test('a tile grown to a shared shape takes real context from its photo and keeps what it owns', () => {
  const plan = planPhotoTiles(600, 400, 256, 12);
  // 600 x 400 at 256: three columns of 200, two rows of 200; the middle top tile runs 224 x 212.
  const middle = plan.tiles[1]!;
  assert.deepEqual(middle.input, { x: 188, y: 0, width: 224, height: 212 });
  const grown = growTileInput(middle, 230, 220, 600, 400)!;
  assert.deepEqual(grown.input, { x: 185, y: 0, width: 230, height: 220 }, 'both sides where there is room; the photo edge stays the edge');
  assert.deepEqual(grown.owned, middle.owned);
  const corner = growTileInput(plan.tiles[5]!, 230, 220, 600, 400)!;
  assert.equal(corner.input.x + corner.input.width, 600, 'at the right border it grows leftwards only');
  assert.equal(corner.input.y + corner.input.height, 400);
  assert.equal(growTileInput(middle, 230, 401, 600, 400), undefined, 'never past the photo: no invented pixels');
  assert.equal(growTileInput(middle, 220, 220, 600, 400), undefined, 'never smaller');
});
