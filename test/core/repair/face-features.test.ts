import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protectFaceFeatures } from '../../../src/core/repair/face-features.js';
import { marksOf } from '../../../src/core/repair/mask.js';
import type { DetectedFace } from '../../../src/core/faces/yunet-detector.js';

const W = 200;
const H = 200;
// An upright face: eyes 40 px apart at y = 80, nose at (100, 100), mouth corners at y = 120.
const face: DetectedFace = {
  box: { x: 60, y: 50, width: 80, height: 100 },
  score: 0.95,
  landmarks: [{ x: 80, y: 80 }, { x: 120, y: 80 }, { x: 100, y: 100 }, { x: 85, y: 120 }, { x: 115, y: 120 }],
};

function disc(mask: Uint8Array, cx: number, cy: number, r: number): void {
  for (let y = cy - r; y <= cy + r; y++) for (let x = cx - r; x <= cx + r; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) mask[y * W + x] = 1;
}
const count = (mask: Uint8Array) => mask.reduce((s, v) => s + v, 0);

test('an iris, a nostril and the line between the lips are left alone', () => {
  const mask = new Uint8Array(W * H);
  disc(mask, 80, 80, 4); // the left eye's iris
  disc(mask, 104, 102, 2); // a nostril
  for (let x = 88; x <= 112; x++) mask[120 * W + x] = 1; // between the lips
  const { mask: kept, protectedPixels } = protectFaceFeatures(marksOf(mask, W, H), W, H, [face]);
  assert.equal(count(kept), 0);
  assert.equal(protectedPixels, count(mask));
});

test('a crack across the face is repaired whole, across the eye too; a speck on the forehead and one far away stay marked', () => {
  const mask = new Uint8Array(W * H);
  for (let y = 10; y < 190; y++) mask[y * W + 80] = mask[y * W + 81] = 1; // a long vertical crack through the left eye
  disc(mask, 100, 58, 2); // forehead speck, above the brows' zones
  disc(mask, 20, 180, 3); // far from the face
  const { mask: kept, protectedPixels } = protectFaceFeatures(marksOf(mask, W, H), W, H, [face]);
  assert.equal(protectedPixels, 0);
  assert.deepEqual(kept, mask);
});

test('without faces the mask is returned as it is', () => {
  const mask = new Uint8Array(W * H);
  disc(mask, 80, 80, 4);
  assert.deepEqual(protectFaceFeatures(marksOf(mask, W, H), W, H, []).mask, mask);
});
