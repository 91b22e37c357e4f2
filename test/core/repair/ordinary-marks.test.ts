import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeImage } from '../../../src/core/repair/image.js';
import { marksOf } from '../../../src/core/repair/mask.js';
import { dropOrdinaryMarks } from '../../../src/core/repair/ordinary-marks.js';
import { synthesizeDamage } from '../../../src/core/repair/synthetic-damage.js';
import { fixturePhoto } from './repair-helpers.js';

const W = 120;
const H = 80;

/** Grey: a dark weave (60) with light threads (180) every 6 px both ways, like tweed, on the left half; flat 60 on the right. */
function weave(): Uint8Array {
  const data = new Uint8Array(W * H).fill(60);
  for (let y = 0; y < H; y++) for (let x = 0; x < 60; x++) if (x % 6 < 2 && y % 6 < 2) data[y * W + x] = 180;
  return data;
}

function box(mask: Uint8Array, x0: number, y0: number, w: number, h: number): Uint8Array {
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) mask[y * W + x] = 1;
  return mask;
}

const count = (mask: Uint8Array) => mask.reduce((s, v) => s + v, 0);

test("a mark on one of a texture's light threads is the photo's own; a speck brighter than any thread, a speck on a flat area and a line's piece are damage", () => {
  const data = weave();
  // A speck of dust, brighter than every thread, inside the weave; another on the flat right half.
  for (const [x0, y0] of [[27, 40], [90, 40]] as const) for (let y = y0; y < y0 + 3; y++) for (let x = x0; x < x0 + 3; x++) data[y * W + x] = 250;
  const image = makeImage(data, W, H, 1);
  const thread = box(new Uint8Array(W * H), 12, 12, 2, 2); // one light thread, marked
  const dust = box(new Uint8Array(W * H), 27, 40, 3, 3);
  const flatDust = box(new Uint8Array(W * H), 90, 40, 3, 3);
  const line = box(new Uint8Array(W * H), 6, 60, 40, 2); // a long thin mark across the threads
  const all = thread.map((v, i) => v | dust[i]! | flatDust[i]! | line[i]!);
  const { marks: { mask }, droppedPixels } = dropOrdinaryMarks(image.pixels, marksOf(all, W, H));
  assert.equal(droppedPixels, count(thread));
  assert.deepEqual(mask, dust.map((v, i) => v | flatDust[i]! | line[i]!));
});

test('on a real photo, at least 95 % of synthetic scratches, cracks and specks stay marked', async () => {
  const clean = await fixturePhoto('chelsea.png');
  const damage = synthesizeDamage(clean, { seed: 7, scratches: 4, cracks: 2, specks: 30 });
  const { marks: { mask } } = dropOrdinaryMarks(damage.image.pixels, marksOf(damage.mask, damage.image.width, damage.image.height));
  assert.ok(count(mask) >= 0.95 * count(damage.mask), `${count(mask)} of ${count(damage.mask)} true damage pixels kept`);
});

test('a torn corner against a white border of its own tone, and a big stain of the wall\'s luminance, are kept: texture is small', () => {
  const w = 200;
  const h = 160;
  const data = new Uint8Array(w * h).fill(40);
  // A white border 6 px wide all round, the corner torn off to the same white.
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (x < 6 || y < 6 || x >= w - 6 || y >= h - 6 || x + y < 80) data[y * w + x] = 250;
  const corner = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (x + y < 80) corner[y * w + x] = 1;
  // A 40 x 40 stain, as light as a wall of light and dark stripes around it.
  for (let y = 100; y < 150; y++) for (let x = 120; x < 190; x++) data[y * w + x] = x % 4 < 2 ? 90 : 170;
  const stain = new Uint8Array(w * h);
  for (let y = 105; y < 145; y++) for (let x = 130; x < 170; x++) {
    data[y * w + x] = 170;
    stain[y * w + x] = 1;
  }
  const both = corner.map((v, i) => v | stain[i]!);
  const { marks: { mask }, droppedPixels } = dropOrdinaryMarks(makeImage(data, w, h, 1).pixels, marksOf(both, w, h));
  assert.equal(droppedPixels, 0);
  assert.deepEqual(mask, both);
});
