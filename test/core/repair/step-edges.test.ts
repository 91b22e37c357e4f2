import { test } from 'node:test';
import assert from 'node:assert/strict';
import { marksOf } from '../../../src/core/repair/mask.js';
import { dropStepEdges } from '../../../src/core/repair/step-edges.js';
import { makeImage } from '../../../src/core/repair/image.js';
import { synthesizeDamage } from '../../../src/core/repair/synthetic-damage.js';
import { fixturePhoto } from './repair-helpers.js';

const W = 120;
const H = 80;

/** Grey: dark left half, bright right half (a step at x = 60), and a thin bright scratch across the dark half at y = 20. */
function stepAndScratch(): ReturnType<typeof makeImage> {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = x < 60 ? 40 : 200;
  for (let x = 5; x < 50; x++) data[20 * W + x] = 230;
  return makeImage(data, W, H, 1);
}

function band(x0: number, x1: number, y0: number, y1: number): Uint8Array {
  const mask = new Uint8Array(W * H);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) mask[y * W + x] = 1;
  return mask;
}

const union = (...masks: Uint8Array[]) => masks.reduce((a, b) => a.map((v, i) => v | b[i]!));
const count = (mask: Uint8Array) => mask.reduce((s, v) => s + v, 0);

test('a mark along an outline (a step) is dropped, a mark on a scratch (a line) is kept', async () => {
  const image = stepAndScratch();
  const outline = band(58, 62, 40, 75); // 4 px wide along the step
  const scratch = band(5, 50, 19, 22); // the scratch and its halo
  const { marks: { mask }, droppedPixels } = await dropStepEdges(image.pixels, marksOf(union(outline, scratch), W, H));
  assert.equal(droppedPixels, count(outline));
  assert.deepEqual(mask, scratch);
});

test('a thick component (a tear) is kept even on an outline', async () => {
  const image = stepAndScratch();
  const tear = band(50, 70, 40, 75); // 20 px thick across the step
  const { marks: { mask }, droppedPixels } = await dropStepEdges(image.pixels, marksOf(tear, W, H));
  assert.equal(droppedPixels, 0);
  assert.deepEqual(mask, tear);
});

test('an outline band with one fat knot on it is still an outline: thickness is the body\'s, not the knot\'s', async () => {
  const image = stepAndScratch();
  // A 4 px band down the step with a 10 x 10 knot on it: the knot alone is thicker than a tear's limit (8 px).
  const outline = union(band(58, 62, 2, 78), band(55, 65, 40, 50));
  const { marks: { mask }, droppedPixels } = await dropStepEdges(image.pixels, marksOf(outline, W, H));
  assert.equal(droppedPixels, count(outline));
  assert.equal(count(mask), 0);
});

test('on a real photo, at least 95 % of synthetic scratches, cracks and specks survive the filter', async () => {
  const clean = await fixturePhoto('chelsea.png');
  const damage = synthesizeDamage(clean, { seed: 7, scratches: 4, cracks: 2, specks: 30 });
  const { marks: { mask } } = await dropStepEdges(damage.image.pixels, marksOf(damage.mask, damage.image.width, damage.image.height));
  // Every scratch, crack and speck is a line or a blob: at least 95 % of the true marks stay.
  assert.ok(count(mask) >= 0.95 * count(damage.mask), `${count(mask)} of ${count(damage.mask)} true damage pixels kept`);
});
