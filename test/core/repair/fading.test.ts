import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restoreFading, simulateFading, type FadingParams } from '../../../src/core/repair/fading.js';
import { deltaE76 } from '../../../src/core/repair/colour.js';
import { makeImage } from '../../../src/core/repair/image.js';
import { fadingNote } from '../../../src/core/stages/fading-stage.js';
import { seededRandom } from '../../../src/shared/seeded-random.js';
import { fixturePhoto } from './repair-helpers.js';

const colourPhotos = ['astronaut.png', 'chelsea.png', 'hubble_deep_field.jpg'];
/** Grey photos (decoded as R = G = B); clock_motion is a flat grey scene whose blacks sit at 44 %, as a faded print's would. */
const greyPhotos = ['camera.png', 'coins.png', 'clock_motion.png'];

/** The faded set: default aged print, stronger yellow, magenta, mild. */
const fadings: FadingParams[] = [
  {},
  { contrast: 0.6, cast: [1, 0.9, 0.75], gamma: [0.85, 1, 1.2], blackLift: 0.12 },
  { contrast: 0.75, paper: [0.9, 0.8, 0.85], cast: [1, 0.85, 0.95], gamma: [1, 1.1, 0.95], blackLift: 0.05 },
  { contrast: 0.8, cast: [1, 0.95, 0.9], gamma: [1, 1, 1], blackLift: 0.1 },
];

test('deltaE76 is 0 for identical images and about 100 from black to white', () => {
  const black = makeImage(new Uint8Array(12), 2, 2, 3);
  const white = makeImage(new Uint8Array(12).fill(255), 2, 2, 3);
  assert.equal(deltaE76(black, black), 0);
  assert.ok(Math.abs(deltaE76(black, white) - 100) < 0.1);
});

test('photos that never faded pass almost unchanged (mean CIE76 <= 3)', async () => {
  for (const name of [...colourPhotos, ...greyPhotos]) {
    const photo = await fixturePhoto(name);
    const { image, analysis } = restoreFading(photo);
    const dE = deltaE76(photo, image);
    assert.ok(dE <= 3, `${name}: dE ${dE.toFixed(2)} (fading ${analysis.fading.toFixed(2)})`);
    assert.equal(analysis.monochrome, greyPhotos.includes(name), name);
  }
});

test('on the faded set, mean CIE76 to the unfaded photo drops by at least half', async () => {
  let before = 0;
  let after = 0;
  const rows: string[] = [];
  for (const name of colourPhotos) {
    const photo = await fixturePhoto(name);
    for (const params of fadings) {
      const faded = simulateFading(photo, params);
      const { image, analysis } = restoreFading(faded);
      const b = deltaE76(photo, faded);
      const a = deltaE76(photo, image);
      assert.ok(analysis.fading > 0.5, `${name} measured as faded (${analysis.fading})`);
      rows.push(`${name} ${b.toFixed(1)} -> ${a.toFixed(1)}`);
      before += b;
      after += a;
    }
  }
  const n = colourPhotos.length * fadings.length;
  console.log(`faded set mean dE76 ${(before / n).toFixed(2)} -> ${(after / n).toFixed(2)}\n  ${rows.join('\n  ')}`);
  // Measured: 25.2 -> 7.6 (chelsea, a low-contrast photo to begin with, recovers least).
  assert.ok(after <= 0.5 * before, `mean dE ${(before / n).toFixed(2)} -> ${(after / n).toFixed(2)}`);
});

test('a sepia-toned black-and-white print, faded or not, comes out neutral grey', async () => {
  const grey = await fixturePhoto('camera.png');
  const { width, height } = grey;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const v = grey.pixels.data[i * grey.pixels.stride]! / 255;
    rgb[3 * i] = Math.round(255 * Math.pow(v, 0.85));
    rgb[3 * i + 1] = Math.round(255 * 0.9 * v);
    rgb[3 * i + 2] = Math.round(255 * 0.7 * Math.pow(v, 1.15));
  }
  const sepia = makeImage(rgb, width, height, 3);
  // Faded toward a paper with a slight yellow. A strong yellowing on top of the sepia
  // (simulateFading's default cast) leaves chroma 12.9 after the correction, above the
  // threshold (11): that print stays brown (docs/repair.md, Fading).
  const faded = simulateFading(sepia, { contrast: 0.7, blackLift: 0.12, cast: [1, 0.97, 0.92], gamma: [1, 1, 1] });
  for (const print of [sepia, faded]) {
    const { image, analysis } = restoreFading(print);
    assert.ok(analysis.monochrome, `chroma95 ${analysis.chroma95}`);
    // Toned: a photo with colour, whose lifted blacks count as fading.
    assert.ok(analysis.coloured, `tone chroma ${analysis.toneChroma95}`);
    assert.match(fadingNote(analysis) ?? '', /black and white made neutral/);
    const d = image.pixels.data;
    let worst = 0;
    for (let i = 0; i < width * height; i++) worst = Math.max(worst, Math.abs(d[3 * i]! - d[3 * i + 1]!), Math.abs(d[3 * i + 1]! - d[3 * i + 2]!));
    assert.equal(worst, 0);
  }
});

test('16-bit RGB with alpha: colour restored through 16-bit tables, alpha untouched', () => {
  const w = 64;
  const h = 48;
  const data = new Uint16Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const o = (y * w + x) * 4;
    data[o] = Math.round((65535 * x) / (w - 1));
    data[o + 1] = Math.round((65535 * y) / (h - 1));
    data[o + 2] = Math.round((65535 * ((x + y) % 32)) / 31);
    data[o + 3] = (x * 997 + y * 31) % 65536;
  }
  const photo = makeImage(data, w, h, 3, true);
  const faded = simulateFading(photo);
  const { image } = restoreFading(faded);
  for (let i = 0; i < w * h; i++) assert.equal(image.pixels.data[i * 4 + 3], data[i * 4 + 3]);
  assert.ok(deltaE76(photo, image) < 0.5 * deltaE76(photo, faded));
  let offGrid = 0;
  for (let i = 0; i < w * h * 4; i++) if (i % 4 !== 3 && image.pixels.data[i]! % 257 !== 0) offGrid++;
  assert.ok(offGrid > w * h, 'restored at 16-bit precision');
});

test('a photo without colour: low contrast alone is not taken for fading; a set strength restores it, single-channel', async () => {
  const decoded = await fixturePhoto('coins.png');
  const grey = makeImage(decoded.pixels.data.filter((_, i) => i % decoded.pixels.stride === 0), decoded.width, decoded.height, 1);
  const faded = simulateFading(grey);
  // The same photo saved as RGB (R = G = B) has no colour either.
  const rgb = makeImage(Uint8Array.from({ length: grey.width * grey.height * 3 }, (_, i) => faded.pixels.data[Math.floor(i / 3)]!), grey.width, grey.height, 3);
  for (const photo of [faded, rgb]) {
    const measured = restoreFading(photo);
    assert.equal(measured.analysis.coloured, false);
    assert.equal(measured.analysis.fading, 0);
    assert.deepEqual(measured.image.pixels.data, photo.pixels.data);
    assert.match(fadingNote(measured.analysis) ?? '', /low contrast left as it is: a photo without colour/);
  }
  const { image, analysis } = restoreFading(faded, { strength: 1 });
  assert.equal(image.colorChannels, 1);
  assert.equal(fadingNote(analysis, true), 'faded colour restored at the strength set (100 %)');
  assert.ok(deltaE76(grey, image) < 0.5 * deltaE76(grey, faded), `${deltaE76(grey, faded).toFixed(2)} -> ${deltaE76(grey, image).toFixed(2)}`);
});

test('grain or sensor noise is not colour: a noisy grey photo is still left as it is', async () => {
  const clock = await fixturePhoto('clock_motion.png');
  const random = seededRandom(5);
  const gauss = () => Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random());
  // Noise of 4 levels, different in each channel of each pixel (a colour scan of a grey print).
  const noisy = makeImage(clock.pixels.data.map((v) => Math.max(0, Math.min(255, Math.round(v + 4 * gauss())))), clock.width, clock.height, 3);
  const { image, analysis } = restoreFading(noisy);
  assert.equal(analysis.coloured, false, `tone chroma ${analysis.toneChroma95}`);
  assert.equal(analysis.fading, 0);
  assert.ok(deltaE76(noisy, image) <= 3, `dE ${deltaE76(noisy, image).toFixed(2)}`);
});
