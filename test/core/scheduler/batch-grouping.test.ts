import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchCostModel, chooseBatchGroup, type GroupTile } from '../../../src/core/scheduler/batch-grouping.js';

/** Tiles of photos large enough to grow into (400x400), except where a test says otherwise. */
const tile = (width: number, height: number, max = 400): GroupTile => ({ width, height, maxWidth: max, maxHeight: max });
// Head 100x100, then 104x100, another 100x100, and a 150x150 (all from 400x400 photos).
const queue = [tile(100, 100), tile(104, 100), tile(100, 100), tile(150, 150)];

test('without a cost model only equal shapes are grouped (padding only adds pixels)', () => {
  const group = chooseBatchGroup(queue, { batchFor: () => 4 });
  assert.deepEqual(group.members, [0, 2]);
  assert.deepEqual([group.width, group.height], [100, 100]);
  assert.equal(group.computedPixels, 20_000);
  assert.equal(group.tilePixels, 20_000);
  const smaller = chooseBatchGroup([tile(100, 100), tile(96, 96), tile(100, 100)], { batchFor: () => 4 });
  assert.deepEqual(smaller.members, [0, 2], 'a smaller tile that would fit is not padded either');
});

test('at batch 1 (a CPU) the head runs alone at its own shape, whatever the cost model', () => {
  const group = chooseBatchGroup(queue, { batchFor: () => 1, cost: { fixedMs: 40, msPerPixel: 1e-4 } });
  assert.deepEqual(group.members, [0]);
  assert.equal(group.computedPixels, 10_000);
});

test('a small per-run cost: padding 4 px to 104x100 pays, padding to 150x150 does not', () => {
  // 100x100: (1 + 1e-4 x 20 000) / 20 000 = 1.50e-4 ms per own px
  // 104x100: (1 + 1e-4 x 31 200) / 30 400 = 1.36e-4  <- least
  // 150x150: (1 + 1e-4 x 90 000) / 52 900 = 1.89e-4
  const group = chooseBatchGroup(queue, { batchFor: () => 4, cost: { fixedMs: 1, msPerPixel: 1e-4 } });
  assert.deepEqual([group.width, group.height], [104, 100]);
  assert.deepEqual(group.members, [0, 1, 2], 'least padding first (the 104x100 needs none)');
  assert.equal(group.computedPixels, 3 * 104 * 100);
  assert.equal(group.tilePixels, 30_400);
});

test('a large per-run cost: one batch of four at 150x150 beats two runs', () => {
  // 100x100: 42 / 20 000 = 2.1e-3; 104x100: 43.12 / 30 400 = 1.42e-3; 150x150: 49 / 52 900 = 0.93e-3
  const group = chooseBatchGroup(queue, { batchFor: () => 4, cost: { fixedMs: 40, msPerPixel: 1e-4 } });
  assert.deepEqual([group.width, group.height], [150, 150]);
  assert.deepEqual(group.members, [0, 3, 1, 2], 'least padding first: the 150x150, then 104x100, then 100x100');
  assert.equal(group.computedPixels, 90_000);
  assert.equal(group.tilePixels, 52_900);
});

test('the batch allowed at a padded shape (memory) bounds its members', () => {
  const group = chooseBatchGroup(queue, { batchFor: (w, h) => (w * h > 20_000 ? 2 : 4), cost: { fixedMs: 40, msPerPixel: 1e-4 } });
  // 150x150 may hold only 2 (the unpadded 150x150 joins): (40 + 4.5) / 32 500 = 1.37e-3, still
  // ahead of 104x100 with 3 (1.42e-3).
  assert.deepEqual([group.width, group.height], [150, 150]);
  assert.deepEqual(group.members, [0, 3]);
  assert.equal(group.computedPixels, 45_000);
});

test('a tile never grows past its own photo: a whole small photo keeps its shape', () => {
  const small = [tile(100, 100, 100), tile(104, 100), tile(100, 100, 100)];
  const group = chooseBatchGroup(small, { batchFor: () => 4, cost: { fixedMs: 40, msPerPixel: 1e-4 } });
  assert.deepEqual([group.width, group.height], [100, 100]);
  assert.deepEqual(group.members, [0, 2]);
});

test('the run cost model comes from batch 1 and the largest batch measured at the tile', () => {
  const pad = 12;
  const side = 128 + 2 * pad;
  // Runs at 128 (152x152 input): batch 1 takes 20 ms, batch 4 takes 50 ms -> 10 ms a run, 10 ms a tile.
  const us = (ms: number, batch: number) => (ms * 1000) / (batch * 128 * 128);
  const points = [
    { tile: 128, batch: 1, usPerPixel: us(20, 1) },
    { tile: 128, batch: 2, usPerPixel: us(31, 2) },
    { tile: 128, batch: 4, usPerPixel: us(50, 4) },
    { tile: 256, batch: 1, usPerPixel: 1 },
  ];
  const model = batchCostModel(points, 128, pad)!;
  assert.ok(Math.abs(model.msPerPixel * side * side - 10) < 1e-9, `per tile ${model.msPerPixel * side * side}`);
  assert.ok(Math.abs(model.fixedMs - 10) < 1e-9, `fixed ${model.fixedMs}`);
  assert.equal(batchCostModel(points, 256, pad), undefined, 'no batch measured there: nothing to pad for');
  // A CPU where batching gains nothing: no per-run cost, so equal shapes only.
  assert.equal(batchCostModel([{ tile: 128, batch: 1, usPerPixel: us(20, 1) }, { tile: 128, batch: 2, usPerPixel: us(40, 2) }], 128, pad)!.fixedMs, 0);
});
