import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertNcnnToOnnx } from '../../../../src/core/models/ncnn/convert-ncnn-to-onnx.js';
import { NcnnModelBuilder, float } from './synthetic-ncnn.js';

describe('graph cost and reach', () => {
  it('counts FLOPs at each convolution resolution, peak live activations and the receptive field', () => {
    // input(3) -> A: 3->8 3x3 -> B: 8->8 3x3 stride 2 -> PixelShuffle 2 (8->2 channels, back to 1x) -> C: 2->3 3x3
    const b = new NcnnModelBuilder(1);
    const a = b.conv('A', b.input({ channels: 3 }), { out: 8, pad: 1 });
    const s = b.conv('B', a, { out: 8, pad: 1, stride: 2 });
    b.conv('C', b.simple('PixelShuffle', 'shuffle', [s], '0=2', 2), { out: 3, pad: 1 });
    const { cost } = convertNcnnToOnnx({ ...b.build(), paramFile: 'cost.param', binFile: 'cost.bin' });

    assert.deepEqual(cost.scale, { y: 1, x: 1 });
    // A 2*8*3*9 at 1x, B 2*8*8*9 at 1/4 of the pixels, C 2*3*2*9 at 1x.
    assert.equal(cost.flopsPerInputPixel, 432 + 288 + 108);
    // Peak while A runs: the input (3 channels) and A's output (8 channels), float32.
    assert.equal(cost.activationBytesPerInputPixel, (3 + 8) * 4);
    assert.equal(cost.parameterCount, 8 * 3 * 9 + 8 + 8 * 8 * 9 + 8 + 3 * 2 * 9 + 3);
    assert.equal(cost.weightBytes, cost.parameterCount * 4);
    // One pixel per 3x3 convolution; B's reach is in its input's pixels, which are input pixels.
    assert.equal(cost.receptiveFieldRadius, 3);
  });

  it('measures reach after an upscale in input pixels and counts bilinear taps', () => {
    // conv at 1x (1 px) -> bilinear x2 (1 px at 1x) -> conv at 2x (1 px at 2x = 0.5 input px)
    const b = new NcnnModelBuilder(2);
    const x = b.conv('A', b.input({ channels: 3 }), { out: 4, pad: 1 });
    const up = b.simple('Interp', 'up', [x], `0=2 1=${float(2)} 2=${float(2)}`);
    b.conv('B', up, { out: 3, pad: 1 });
    const { cost } = convertNcnnToOnnx({ ...b.build(), paramFile: 'up.param', binFile: 'up.bin' });
    assert.deepEqual(cost.scale, { y: 2, x: 2 });
    assert.equal(cost.receptiveFieldRadius, Math.ceil(1 + 1 + 0.5));
    assert.equal(cost.flopsPerInputPixel, 2 * 4 * 3 * 9 + 2 * 3 * 4 * 9 * 4);
  });

  it('has no per-pixel cost or reach when a layer resizes to a fixed size', () => {
    const b = new NcnnModelBuilder(3);
    b.simple('Interp', 'fixed', [b.conv('A', b.input({ channels: 3 }), { out: 3, pad: 1 })], '0=1 3=32 4=32');
    const { cost } = convertNcnnToOnnx({ ...b.build(), paramFile: 'f.param', binFile: 'f.bin' });
    assert.equal(cost.scale, null);
    assert.equal(cost.receptiveFieldRadius, null);
    assert.equal(cost.activationBytesPerInputPixel, null);
  });
});
