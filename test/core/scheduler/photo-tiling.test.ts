import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choosePhotoTile, costAt, costCurve } from '../../../src/core/scheduler/photo-tiling.js';

const pad = 12;
/** Tuning points as the tuner stores them (us per owned pixel) for a flat cost per input pixel. */
function flatPoints(usPerInputPixel: number, tiles: number[]) {
  return tiles.map((tile) => ({ tile, batch: 1, usPerPixel: (usPerInputPixel * (tile + 2 * pad) ** 2) / tile ** 2 }));
}

test('the cost curve is per input pixel, interpolated, and never extrapolated beyond what was measured', () => {
  const curve = costCurve([...flatPoints(6, [64, 256]), { tile: 128, batch: 2, usPerPixel: 1 }], pad);
  assert.equal(curve.length, 2, 'batch-1 points only');
  assert.ok(Math.abs(costAt(curve, 100 * 100)! - 6) < 1e-9);
  assert.equal(costAt(curve, 281 * 281), undefined);
});

test('a photo within the measured shapes runs whole: no context computed', () => {
  const curve = costCurve(flatPoints(6, [64, 128, 256, 640]), pad);
  const choice = choosePhotoTile({ width: 600, height: 400, pad, tileSizes: [64, 128, 256], curve, fits: () => true, fallback: 256 });
  assert.equal(choice.tileSize, 0);
  assert.equal(choice.computedRatio, 1);
});

test('tiles when the whole photo does not fit memory or was never measured, with the least computed area', () => {
  const curve = costCurve(flatPoints(6, [64, 128, 256, 640]), pad);
  const fits = (pixels: number) => pixels <= 300 * 300;
  const choice = choosePhotoTile({ width: 600, height: 400, pad, tileSizes: [64, 128, 256], curve, fits, fallback: 256 });
  assert.equal(choice.tileSize, 256);
  assert.ok(choice.computedRatio < 1.15, `computed ratio ${choice.computedRatio}`);
  const unmeasured = choosePhotoTile({ width: 600, height: 400, pad, tileSizes: [64, 128, 256], curve: costCurve(flatPoints(6, [64, 128, 256]), pad), fits: () => true, fallback: 256 });
  assert.equal(unmeasured.tileSize, 256);
});

test('a shape that runs slower per pixel loses even with less context', () => {
  // Large runs fall out of cache: 3x slower per input pixel at 640.
  const points = [...flatPoints(6, [64, 128, 256]), ...flatPoints(18, [640])];
  const choice = choosePhotoTile({ width: 600, height: 400, pad, tileSizes: [64, 128, 256], curve: costCurve(points, pad), fits: () => true, fallback: 256 });
  assert.equal(choice.tileSize, 256);
});
