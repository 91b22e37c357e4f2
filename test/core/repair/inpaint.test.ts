import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inpaint } from '../../../src/core/repair/inpaint.js';
import { makeImage, type RepairImage } from '../../../src/core/repair/image.js';
import { dilateMask, maskComponents } from '../../../src/core/repair/mask.js';
import { synthesizeDamage } from '../../../src/core/repair/synthetic-damage.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { fixturePhoto, maskedPsnr } from './repair-helpers.js';

/** A smooth, textured test image of the given layout, alpha a ramp. */
function testImage(width: number, height: number, colorChannels: 1 | 3, hasAlpha: boolean, sixteen: boolean): RepairImage {
  const stride = colorChannels + (hasAlpha ? 1 : 0);
  const max = sixteen ? 65535 : 255;
  const data = sixteen ? new Uint16Array(width * height * stride) : new Uint8Array(width * height * stride);
  const random = seededRandom(7);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const o = (y * width + x) * stride;
    for (let c = 0; c < colorChannels; c++) data[o + c] = Math.round(max * (0.5 + 0.3 * Math.sin((x + 9 * c) / 7) * Math.cos(y / 11) + 0.1 * random()));
    if (hasAlpha) data[o + colorChannels] = Math.round((max * x) / (width - 1));
  }
  return makeImage(data, width, height, colorChannels, hasAlpha);
}

for (const colorChannels of [1, 3] as const) {
  for (const hasAlpha of [false, true]) {
    for (const sixteen of [false, true]) {
      const name = `${sixteen ? 16 : 8}-bit ${colorChannels === 1 ? 'grey' : 'RGB'}${hasAlpha ? ' with alpha' : ''}`;
      test(`${name}: pixels outside the grown mask, and all alpha, are byte-identical`, async () => {
        const image = testImage(96, 80, colorChannels, hasAlpha, sixteen);
        const before = image.pixels.data.slice();
        const { image: damaged, mask } = synthesizeDamage(image, { seed: 3, scratches: 3, cracks: 1, specks: 10, tornCorner: 0.3 });
        const result = await inpaint(damaged, mask, { grow: 2 });
        assert.deepEqual(image.pixels.data, before, 'the input is not modified');
        assert.ok(result.wideComponents >= 1, 'the torn corner counts as wide');
        const stride = image.pixels.stride;
        let changed = 0;
        for (let i = 0; i < mask.length; i++) {
          for (let c = 0; c < stride; c++) {
            const j = i * stride + c;
            const same = result.image.pixels.data[j] === damaged.pixels.data[j];
            if (!result.grownMask[i] || c === colorChannels) assert.ok(same, `pixel ${i} channel ${c} changed outside the mask or in alpha`);
            else if (!same) changed++;
          }
        }
        assert.ok(changed > 0);
        assert.equal(result.image.pixels.data.constructor, damaged.pixels.data.constructor);
        assert.equal(result.image.bitDepth, image.bitDepth);
        // The mask grew by 2 px, no more.
        assert.deepEqual(result.grownMask, dilateMask(mask, image.width, image.height, 2));
      });
    }
  }
}

test('16-bit samples are filled at 16-bit precision, not in steps of 257', async () => {
  const image = testImage(64, 64, 3, false, true);
  const mask = new Uint8Array(64 * 64);
  for (let y = 20; y < 24; y++) for (let x = 5; x < 60; x++) mask[y * 64 + x] = 1;
  const result = await inpaint(image, mask, { grow: 1 });
  let offGrid = 0;
  for (let i = 0; i < mask.length; i++) if (result.grownMask[i] && result.image.pixels.data[i * 3]! % 257 !== 0) offGrid++;
  assert.ok(offGrid > 100, `${offGrid} filled samples off the 8-bit grid`);
});

test('an all-zero mask returns the input unchanged', async () => {
  const image = testImage(40, 30, 3, true, false);
  const result = await inpaint(image, new Uint8Array(40 * 30));
  assert.deepEqual(result.image.pixels.data, image.pixels.data);
  assert.notEqual(result.image.pixels.data, image.pixels.data, 'a copy, not the same buffer');
  assert.equal(result.thinPixels + result.widePixels, 0);
});

test('a mask of the wrong size is refused', async () => {
  await assert.rejects(inpaint(testImage(10, 10, 1, false, false), new Uint8Array(99)), /99 entries/);
});

test('thickness: a 2 px scratch is thin, a torn corner is wide', () => {
  const w = 100;
  const h = 80;
  const mask = new Uint8Array(w * h);
  for (let y = 10; y < 70; y++) mask[y * w + 50] = mask[y * w + 51] = 1;
  for (let y = 0; y < 20; y++) for (let x = 0; x < 20 - y; x++) mask[y * w + x] = 1;
  const parts = maskComponents(dilateMask(mask, w, h, 1), w, h).sort((a, b) => a.x0 - b.x0);
  assert.equal(parts.length, 2);
  assert.ok(parts[0]!.thickness > 8, `corner ${parts[0]!.thickness}`);
  assert.ok(parts[1]!.thickness <= 8, `scratch ${parts[1]!.thickness}`);
});

test('inpainting a photo with scratches, cracks and dust raises PSNR on the damaged pixels', async () => {
  const photo = await fixturePhoto('chelsea.png');
  const { image: damaged, mask } = synthesizeDamage(photo, { seed: 1, scratches: 5, cracks: 3, specks: 40 });
  const result = await inpaint(damaged, mask);
  const before = maskedPsnr(damaged, photo, result.grownMask);
  const after = maskedPsnr(result.image, photo, result.grownMask);
  assert.ok(after > before + 12, `PSNR on the damage ${before.toFixed(2)} -> ${after.toFixed(2)} dB`);
});

test('on a torn corner the multi-scale fill beats Telea (measured on the filled pixels)', async () => {
  const photo = await fixturePhoto('chelsea.png');
  for (const seed of [2, 3]) {
    const { image: damaged, mask } = synthesizeDamage(photo, { seed, scratches: 0, cracks: 0, specks: 0, tornCorner: 0.25 });
    const telea = await inpaint(damaged, mask, { method: 'telea' });
    const auto = await inpaint(damaged, mask);
    assert.equal(auto.wideComponents, 1);
    const pTelea = maskedPsnr(telea.image, photo, telea.grownMask);
    const pAuto = maskedPsnr(auto.image, photo, auto.grownMask);
    // Measured: seed 2 19.8 -> 22.2 dB, seed 3 22.9 -> 24.8 dB.
    assert.ok(pAuto > pTelea + 1, `seed ${seed}: Telea ${pTelea.toFixed(2)} dB, multi-scale ${pAuto.toFixed(2)} dB`);
  }
});

test('a 768x512 photo with about 3 % damaged is repaired in well under a second', async () => {
  const photo = await fixturePhoto('hubble_deep_field.jpg');
  // The top-left 768x512 of the 1000x872 photo.
  const w = 768;
  const h = 512;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) data.set(photo.pixels.data.subarray(y * photo.width * 3, (y * photo.width + w) * 3), y * w * 3);
  const { image: damaged, mask } = synthesizeDamage(makeImage(data, w, h, 3), { seed: 5, scratches: 4, cracks: 2, specks: 40, tornCorner: 0.1 });
  let masked = 0;
  for (const m of mask) masked += m;
  await inpaint(damaged, new Uint8Array(w * h)); // OpenCV loads outside the timing
  const t0 = performance.now();
  const result = await inpaint(damaged, mask);
  const ms = performance.now() - t0;
  const share = masked / mask.length;
  assert.ok(share > 0.015 && share < 0.06, `damaged share ${share}`);
  // Typically 100-250 ms on the 2-core development VM; the bound leaves room for a busy machine.
  assert.ok(ms < 1500, `${ms.toFixed(0)} ms for ${(100 * share).toFixed(1)} % damaged (${result.wideComponents} wide)`);
  console.log(`768x512, ${(100 * share).toFixed(1)} % damaged: ${ms.toFixed(0)} ms`);
});

test('a DecodedImage is accepted as it is (type check), and the result keeps its other fields', async () => {
  const { decodedStandIn } = await import('./repair-helpers.js');
  const decoded = decodedStandIn(testImage(20, 20, 3, false, false));
  const mask = new Uint8Array(400);
  mask[210] = 1;
  const { image } = await inpaint(decoded, mask);
  assert.equal(image.file, decoded.file);
  assert.deepEqual(image.notes, decoded.notes);
});
