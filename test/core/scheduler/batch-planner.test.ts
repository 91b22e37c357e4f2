import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetBytes, planBatch } from '../../../src/core/scheduler/batch-planner.js';
import { estimateBatchMemory, updateCalibration } from '../../../src/core/scheduler/memory-model.js';
import { fakeManifest } from '../../helpers/fake-model.js';

const MB = 1024 * 1024;

test('budget is a fraction of free memory or an absolute cap no larger than free', () => {
  assert.equal(budgetBytes(1000 * MB, { kind: 'fraction', value: 0.8 }), 800 * MB);
  assert.equal(budgetBytes(1000 * MB, { kind: 'bytes', value: 300 * MB }), 300 * MB);
  assert.equal(budgetBytes(100 * MB, { kind: 'bytes', value: 300 * MB }), 100 * MB);
});

test('batch is the largest that fits the budget, clamped to max batch', () => {
  const estimate = { fixedBytes: 100 * MB, perItemBytes: 50 * MB };
  const plan = (free: number, maxBatch = 8) => planBatch({ freeBytes: free, budget: { kind: 'fraction', value: 0.8 }, estimateFor: () => estimate, tileCandidates: [256], maxBatch });
  assert.equal(plan(1000 * MB).batchSize, 8); // (800-100)/50 = 14 -> clamped to 8
  assert.equal(plan(500 * MB).batchSize, 6); // (400-100)/50 = 6
  assert.equal(plan(500 * MB).expectedBytes, 100 * MB + 6 * 50 * MB);
  assert.equal(plan(1000 * MB, 4).batchSize, 4);
});

test('falls back to a smaller tile when batch 1 does not fit, and reports when nothing fits', () => {
  const estimateFor = (tile: number) => ({ fixedBytes: 10 * MB, perItemBytes: tile * tile * 4000 });
  const fitsSmall = planBatch({ freeBytes: 200 * MB, budget: { kind: 'fraction', value: 0.8 }, estimateFor, tileCandidates: [256, 128, 64], maxBatch: 8 });
  assert.equal(fitsSmall.tileSize, 128);
  assert.ok(fitsSmall.fits);
  const none = planBatch({ freeBytes: 10 * MB, budget: { kind: 'fraction', value: 0.8 }, estimateFor, tileCandidates: [256, 128, 64], maxBatch: 8 });
  assert.equal(none.fits, false);
  assert.equal(none.batchSize, 1);
  assert.equal(none.tileSize, 64);
});

test('a learned out-of-memory limit lowers the recommendation', () => {
  const estimate = { fixedBytes: 0, perItemBytes: MB };
  const plan = planBatch({ freeBytes: 1000 * MB, budget: { kind: 'fraction', value: 1 }, estimateFor: () => estimate, tileCandidates: [128], maxBatch: 8, learnedLimitItems: 3 * 160 * 160, paddedPixelsFor: () => 160 * 160 });
  assert.equal(plan.batchSize, 3);
});

test('memory model grows with the padded tile and shrinks with fp16; calibration is smoothed', () => {
  const m = fakeManifest(4);
  const small = estimateBatchMemory(m, 96 * 96, 'fp32');
  const big = estimateBatchMemory(m, 288 * 288, 'fp32');
  assert.ok(big.perItemBytes > 8 * small.perItemBytes);
  assert.ok(estimateBatchMemory(m, 288 * 288, 'fp16').perItemBytes < big.perItemBytes);
  assert.equal(updateCalibration(undefined, 2), 2);
  assert.ok(Math.abs(updateCalibration(1, 2) - 1.3) < 1e-12);
  assert.equal(updateCalibration(1, Number.NaN), 1);
});
