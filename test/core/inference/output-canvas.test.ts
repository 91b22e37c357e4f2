import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputCanvas, toSamples16 } from '../../../src/core/inference/output-canvas.js';
import { planTiles } from '../../../src/core/inference/tiler.js';

test('model output is clamped to 0..1 before quantising: negatives never wrap around', () => {
  const planar = new Float32Array([-0.5, -1e-6, 0, 0.5, 1, 1.7, Number.NaN, -3, 0.25]);
  const samples = toSamples16(planar, 0, 3, 1);
  // interleaved: pixel0 = (planar[0], planar[3], planar[6])
  assert.deepEqual([...samples], [0, 32768, 0, 0, 65535, 0, 0, 65535, 16384]);
});

test('the canvas writes only owned regions, at 8 bit, and grey photos get luma', async () => {
  const plan = planTiles(2, 1, 0, 0);
  const canvas = new OutputCanvas(plan, 1, 1, 3, 8);
  await canvas.writeTile(plan.tiles[0]!, new Float32Array([-1, 2, 0.5, 0.5, 0, 1]), 0);
  assert.deepEqual([...canvas.data], [0, 128, 0, 255, 128, 255]);
  const grey = new OutputCanvas(plan, 1, 1, 1, 8);
  await grey.writeTile(plan.tiles[0]!, new Float32Array([1, 0, 1, 0, 1, 0]), 0);
  assert.deepEqual([...grey.data], [255, 0]);
});

test('8-bit RGB output clamps NaN, negatives and overshoot without wrapping around, and rounds', async () => {
  const plan = planTiles(3, 1, 0, 0);
  const canvas = new OutputCanvas(plan, 1, 1, 3, 8);
  // planes R, G, B of three pixels
  await canvas.writeTile(plan.tiles[0]!, new Float32Array([Number.NaN, -3, 1.7, -1e-6, 0.2, 1, 0.999, 1e9, -Infinity]), 0);
  assert.deepEqual([...canvas.data], [0, 0, 255, 0, 51, 255, 255, 255, 0]);
});

test('a canvas over an earlier output writes into those samples, and refuses samples of another size or depth', async () => {
  const plan = planTiles(2, 1, 0, 0);
  const earlier = new Uint8Array([9, 9, 9, 7, 7, 7]);
  const decoded = (data: Uint8Array) => ({ width: 2, height: 1, stride: 3, data, maxValue: 255 });
  const canvas = OutputCanvas.startingAs(plan, 1, 1, decoded(earlier), 3, 8, { inPlace: true });
  assert.equal(canvas.data, earlier, 'the same buffer, not a copy');
  await canvas.writeTile(plan.tiles[0]!, new Float32Array([1, 0, 1, 1, 0, 1]), 0);
  assert.deepEqual([...earlier], [255, 255, 0, 0, 255, 255]);
  assert.throws(() => OutputCanvas.startingAs(plan, 1, 1, decoded(new Uint8Array(5)), 3, 8, { inPlace: true }), /do not fit a 2x1x3 8-bit canvas/);
  assert.throws(() => OutputCanvas.startingAs(plan, 1, 1, decoded(new Uint8Array(6)), 3, 16, { inPlace: true }), /do not fit/);
  // As many samples, but a 1x2 image: its rows would land in the wrong places.
  assert.throws(() => OutputCanvas.startingAs(plan, 1, 1, { ...decoded(new Uint8Array(6)), width: 1, height: 2 }, 3, 8, { inPlace: true }), /a 1x2 image cannot start a 2x1 canvas/);
  // Not in place (the photo itself as the canvas): a copy, the source untouched.
  const photo = new Uint8Array([1, 2, 3, 4, 5, 6]);
  const copy = OutputCanvas.startingAs(plan, 1, 1, decoded(photo), 3, 8, { inPlace: false });
  assert.notEqual(copy.data, photo);
  assert.deepEqual([...copy.data], [...photo]);
});
