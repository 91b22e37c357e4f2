import { test } from 'node:test';
import assert from 'node:assert/strict';
import { synthesizeDamage } from '../../../src/core/repair/synthetic-damage.js';
import { makeImage } from '../../../src/core/repair/image.js';

const plain = () => makeImage(new Uint8Array(120 * 90 * 3).fill(128), 120, 90, 3);

test('the same seed gives the same damage; another seed another', () => {
  const a = synthesizeDamage(plain(), { seed: 4, tornCorner: 0.2 });
  const b = synthesizeDamage(plain(), { seed: 4, tornCorner: 0.2 });
  const c = synthesizeDamage(plain(), { seed: 5, tornCorner: 0.2 });
  assert.deepEqual(a.mask, b.mask);
  assert.deepEqual(a.image.pixels.data, b.image.pixels.data);
  assert.notDeepEqual(a.mask, c.mask);
});

test('the mask is exact: every changed pixel is in it, and nothing outside it changed', () => {
  const photo = plain();
  const { image, mask } = synthesizeDamage(photo, { seed: 9, scratches: 6, cracks: 3, specks: 40, tornCorner: 0.3 });
  let changed = 0;
  let masked = 0;
  for (let i = 0; i < mask.length; i++) {
    const differs = [0, 1, 2].some((c) => image.pixels.data[i * 3 + c] !== photo.pixels.data[i * 3 + c]);
    if (differs) changed++;
    if (mask[i]) masked++;
    if (!mask[i]) assert.ok(!differs, `pixel ${i} changed outside the mask`);
  }
  assert.ok(changed > 0.9 * masked, `${changed} of ${masked} masked pixels changed`);
});

test('a torn corner reaches into a corner', () => {
  const { mask } = synthesizeDamage(plain(), { seed: 2, scratches: 0, cracks: 0, specks: 0, tornCorner: 0.3 });
  const corners = [0, 119, 89 * 120, 89 * 120 + 119].filter((i) => mask[i]);
  assert.equal(corners.length, 1);
});
