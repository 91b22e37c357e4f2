import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureWholePhotoShapes, tuneTileAndBatch } from '../../../src/core/scheduler/tile-tuner.js';
import type { BatchRunner } from '../../../src/core/inference/tiler.js';

/** A device whose cost per padded pixel is given per tile side and batch, on a simulated clock. */
function simulatedDevice(usPerPaddedPixel: (side: number, batch: number) => number, calls: string[]): { run: BatchRunner; now: () => number } {
  let clockMs = 0;
  return {
    now: () => clockMs,
    run: async (_input, [n, , h, w]) => {
      calls.push(`${n}x${w}`);
      clockMs += (usPerPaddedPixel(w, n) * n * w * h) / 1000;
      return new Float32Array(0);
    },
  };
}

test('picks the tile with the lowest cost per owned pixel, counting the padding overhead', async () => {
  const calls: string[] = [];
  // Flat per padded pixel: only the padding overhead differs, so the largest tile wins.
  const result = await tuneTileAndBatch({ ...simulatedDevice(() => 0.2, calls), pad: 8, tiles: [32, 64, 128], batches: [1, 2, 4], fits: () => true });
  assert.equal(result.tile, 128);
  assert.equal(result.batch, 1);
  assert.ok(calls.includes('2x144') && !calls.includes('4x144'), `stops at the first batch that does not pay: ${calls.join(' ')}`);
});

test('takes a batch only when it pays, and never a tile that does not fit', async () => {
  const calls: string[] = [];
  const result = await tuneTileAndBatch({
    ...simulatedDevice((_side, batch) => 0.4 / batch, calls),
    pad: 8,
    tiles: [32, 64, 128],
    batches: [1, 2, 4],
    fits: (tile, batch) => tile <= 64 && batch <= 4,
  });
  assert.equal(result.tile, 64);
  assert.equal(result.batch, 4);
  assert.ok(!calls.some((c) => c.endsWith('x144')), 'the 128 tile was never run');
});

test('whole-photo shapes: measured once, only where they fit and a run is predicted short enough', async () => {
  const calls: string[] = [];
  const device = simulatedDevice(() => 0.01, calls);
  const known = [{ tile: 256, batch: 1, usPerPixel: 0.012 }];
  const points = await measureWholePhotoShapes({ ...device, pad: 8, known, fits: (tile) => tile <= 512, maxMs: 1000 });
  assert.deepEqual(points.map((p) => p.tile), [384, 512], 'the 640 shape does not fit');
  const again = await measureWholePhotoShapes({ ...device, pad: 8, known: [...known, ...points], fits: () => true, maxMs: 1000 });
  assert.deepEqual(again.map((p) => p.tile), [640, 768, 1024]);
  // A slow model (x4plus-like): the larger shapes would take too long per run to measure.
  const slow = await measureWholePhotoShapes({ ...device, pad: 8, known: [{ tile: 256, batch: 1, usPerPixel: 300 }], fits: () => true, maxMs: 4000 });
  assert.deepEqual(slow, []);
});
