// Small ncnn networks written by the test itself, one per family of layers, converted to ONNX
// and run through ONNX Runtime, then compared with the TypeScript reference run on the same
// ncnn layers. Each runs on the real photo crop and on an odd-sized crop (13x11), which
// exercises padding, strides and resize edges that a square even tile would hide.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReferenceTensor } from '../../../../src/core/models/ncnn/ncnn-reference.js';
import { compareWithReference, loadPhotoCrop } from './reference-harness.js';
import { NcnnModelBuilder, float } from './synthetic-ncnn.js';
import type { SyntheticModel } from './synthetic-ncnn.js';

const TOLERANCE = 1e-4;
const inputs = (): ReferenceTensor[] => [loadPhotoCrop(), loadPhotoCrop({ x: 5, y: 7, width: 13, height: 11 })];

async function assertMatchesReference(model: SyntheticModel, name: string, tensors = inputs()): Promise<void> {
  const results = await compareWithReference(model, tensors, name);
  for (const { reference, onnx, maxAbsDiff } of results) {
    assert.deepEqual([...onnx.dims], [...reference.dims], `${name}: output shape`);
    assert.ok(maxAbsDiff <= TOLERANCE, `${name} at ${reference.dims.join('x')}: max |onnx - reference| = ${maxAbsDiff}`);
    const spread = Math.max(...reference.data) - Math.min(...reference.data);
    assert.ok(spread > 0.01, `${name}: the output should not be flat (spread ${spread})`);
  }
}

/** Convolutions with every fused activation (ncnn param 9) and every weight encoding and padding form. */
function convolutionModel(): SyntheticModel {
  const b = new NcnnModelBuilder(11);
  let x = b.input({ channels: 3 });
  x = b.conv('conv_relu_fp32', x, { out: 8, pad: 1, activation: { type: 1 }, encoding: 'float32' });
  x = b.conv('conv_leaky_fp16', x, { out: 8, pad: 1, activation: { type: 2, params: [0.1] }, encoding: 'float16' });
  x = b.conv('conv_clip_lut', x, { out: 8, kernel: 1, bias: false, activation: { type: 3, params: [-0.5, 0.75] }, encoding: 'lut8' });
  x = b.conv('conv_sigmoid_stride', x, { out: 8, stride: 2, pad: { left: 0, right: 1, top: 1, bottom: 0 }, activation: { type: 4 } });
  x = b.conv('conv_mish_dilated', x, { out: 8, dilation: 2, pad: 2, activation: { type: 5 } });
  x = b.conv('conv_hardswish_3x1', x, { out: 8, kernel: [1, 3], pad: { left: 1, right: 1, top: 0, bottom: 0 }, activation: { type: 6, params: [0.2, 0.5] } });
  x = b.conv('conv_same_upper', x, { out: 8, kernel: 2, pad: -233 });
  x = b.conv('conv_same_lower_s2', x, { out: 8, kernel: 3, stride: [1, 2], pad: -234, activation: { type: 1 } });
  b.conv('conv_pad_value', x, { out: 3, pad: 1, padValue: 0.25, encoding: 'float32' });
  return b.build();
}

/** Split, PReLU (per channel and shared), ReLU / LeakyReLU layers, Eltwise in all three forms, Concat. */
function residualModel(): SyntheticModel {
  const b = new NcnnModelBuilder(22);
  // No 2=c on the Input, as in Real-ESRGAN's files: the converter infers 3 from the first conv.
  const data = b.input({ channels: 3, declareChannels: false });
  const x = b.conv('conv_in', data, { out: 6, pad: 1 });
  const [x1, x2, x3, x4, x5, x6] = b.split('split_x', x, 6) as [string, string, string, string, string, string];
  const a = b.prelu('prelu_channels', x1);
  const c = b.prelu('prelu_shared', x2, true);
  const leaky = b.simple('ReLU', 'leaky', [x3], `0=${float(0.15)}`);
  const relu = b.simple('ReLU', 'relu', [x4]);
  const weighted = b.simple('Eltwise', 'sum_coeffs', [a, c, leaky], `0=1 -23301=3,${float(0.2)},${float(-1)},${float(1)}`);
  const product = b.simple('Eltwise', 'prod', [weighted, relu], '0=0');
  const maximum = b.simple('Eltwise', 'max3', [product, x5, x6], '0=2');
  const [m1, m2] = b.split('split_m', maximum, 2) as [string, string];
  const sum = b.simple('Eltwise', 'sum_plain', [m1, m2], '0=1');
  const [s1, s2] = b.split('split_s', sum, 2) as [string, string];
  const concat = b.simple('Concat', 'concat', [s1, s2], '0=0', 12);
  b.conv('conv_out', concat, { out: 3, pad: 1 });
  return b.build();
}

/** BinaryOp: every op with a scalar operand, and two-input forms, on operands kept away from 0. */
function binaryModel(): SyntheticModel {
  const b = new NcnnModelBuilder(33);
  const data = b.input({ channels: 3 });
  const s = b.conv('conv_sigmoid', data, { out: 4, kernel: 1, activation: { type: 4 } });
  const [sA, sB] = b.split('split_s', s, 2) as [string, string];
  // t = s + 2 lies in (2, 3): safe as a divisor and a power base.
  const t = b.simple('BinaryOp', 'add_scalar', [sA], `0=0 1=1 2=${float(2)}`);
  const scalarOps = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const twoInputOps = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const tCopies = b.split('split_t', t, scalarOps.length + twoInputOps.length);
  const sCopies = b.split('split_s2', sB, twoInputOps.length);
  const results: string[] = [];
  scalarOps.forEach((op, i) => results.push(b.simple('BinaryOp', `scalar_op${op}`, [tCopies[i]!], `0=${op} 1=1 2=${float(1.5)}`)));
  twoInputOps.forEach((op, i) => {
    // Keep the power and the reversed division well-conditioned: t is the base / divisor.
    const pairs: Record<number, [string, string]> = { 6: [tCopies[scalarOps.length + i]!, sCopies[i]!], 8: [tCopies[scalarOps.length + i]!, sCopies[i]!], 9: [sCopies[i]!, tCopies[scalarOps.length + i]!] };
    const [first, second] = pairs[op] ?? [sCopies[i]!, tCopies[scalarOps.length + i]!];
    results.push(b.simple('BinaryOp', `pair_op${op}`, [first, second], `0=${op}`));
  });
  const total = b.simple('Eltwise', 'sum_all', results, '0=1');
  b.conv('conv_out', total, { out: 3, pad: 1, encoding: 'float32' });
  return b.build();
}

/** PixelShuffle in both channel orders and Interp nearest / bilinear / bicubic / align-corners, concatenated. */
function upscaleModel(): SyntheticModel {
  const b = new NcnnModelBuilder(44);
  const data = b.input({ channels: 3 });
  const [d0, d1, d2, d3, d4] = b.split('split_data', data, 5) as [string, string, string, string, string];
  const features = b.conv('conv_features', d0, { out: 12, pad: 1 });
  const [f1, f2] = b.split('split_features', features, 2) as [string, string];
  const shuffledTorch = b.simple('PixelShuffle', 'shuffle_crd', [f1], '0=2', 3);
  const shuffledTf = b.simple('PixelShuffle', 'shuffle_dcr', [f2], '0=2 1=1', 3);
  const nearest = b.simple('Interp', 'nearest', [d1], `0=1 1=${float(2)} 2=${float(2)}`);
  const bilinear = b.simple('Interp', 'bilinear', [d2], `0=2 1=${float(2)} 2=${float(2)}`);
  const bicubic = b.simple('Interp', 'bicubic', [d3], `0=3 1=${float(2)} 2=${float(2)}`);
  const aligned = b.simple('Interp', 'bilinear_align', [d4], `0=2 1=${float(2)} 2=${float(2)} 6=1`);
  const all = b.simple('Concat', 'concat', [shuffledTorch, shuffledTf, nearest, bilinear, bicubic, aligned], '0=0', 18);
  b.conv('conv_out', all, { out: 3, pad: 1 });
  return b.build();
}

/** Resizes by non-integer and shrinking factors, bicubic with align-corners, then to a fixed size. */
function resizeChainModel(): SyntheticModel {
  const b = new NcnnModelBuilder(55);
  let x = b.input({ channels: 3 });
  x = b.conv('conv_in', x, { out: 4, pad: 1 });
  x = b.simple('Interp', 'bilinear_1_5', [x], `0=2 1=${float(1.5)} 2=${float(1.5)}`);
  x = b.simple('Interp', 'nearest_3', [x], `0=1 1=${float(3)} 2=${float(3)}`);
  x = b.simple('Interp', 'bicubic_half', [x], `0=3 1=${float(0.5)} 2=${float(0.5)}`);
  x = b.simple('Interp', 'bicubic_align', [x], `0=3 1=${float(2)} 2=${float(2)} 6=1`);
  x = b.conv('conv_mid', x, { out: 4, pad: 1 });
  x = b.simple('Interp', 'bilinear_fixed', [x], '0=2 3=20 4=28');
  x = b.simple('Interp', 'nearest_fixed', [x], '0=1 3=30 4=17');
  b.simple('Interp', 'bicubic_fixed', [x], '0=3 3=12 4=9');
  return b.build();
}

describe('ncnn → ONNX on synthetic networks, checked against the reference through ONNX Runtime', () => {
  it('converts convolutions with fused activations 0-6, float32 / float16 / 8-bit table weights, strides, dilation and every padding form', async () => {
    await assertMatchesReference(convolutionModel(), 'convolutions');
  });

  it('converts Split, PReLU, ReLU / LeakyReLU, Eltwise (sum with coeffs, prod, max, plain sum) and Concat, inferring the input channels', async () => {
    await assertMatchesReference(residualModel(), 'residual');
  });

  it('converts BinaryOp: ADD..RPOW with a scalar operand and with two inputs', async () => {
    await assertMatchesReference(binaryModel(), 'binary');
  });

  it('converts PixelShuffle (PyTorch and TensorFlow order) and Interp nearest / bilinear / bicubic / align-corners', async () => {
    await assertMatchesReference(upscaleModel(), 'upscale');
  });

  it('converts Interp by fractional and shrinking factors and to fixed output sizes', async () => {
    await assertMatchesReference(resizeChainModel(), 'resize-chain');
  });

  it('keeps the batch dimension dynamic: a batch of two gives each image its own result', async () => {
    const one = loadPhotoCrop({ x: 0, y: 0, width: 12, height: 10 });
    const other = loadPhotoCrop({ x: 9, y: 11, width: 12, height: 10 });
    const batch = { data: new Float32Array([...one.data, ...other.data]), dims: [2, 3, 10, 12] };
    const [result] = await compareWithReference(upscaleModel(), [batch], 'batch');
    assert.ok(result !== undefined);
    assert.deepEqual([...result.onnx.dims], [2, 3, 20, 24]);
    assert.ok(result.maxAbsDiff <= TOLERANCE, `batch max diff ${result.maxAbsDiff}`);
  });

  it('stores float16 kernels as float16 (cast in the graph) and float32 ones as float32', async () => {
    const [fp16] = await compareWithReference(upscaleModel(), [loadPhotoCrop()], 'fp16');
    const [mixed] = await compareWithReference(convolutionModel(), [loadPhotoCrop()], 'mixed');
    assert.equal(fp16?.conversion.weightsPrecision, 'fp16');
    assert.equal(mixed?.conversion.weightsPrecision, 'fp32');
  });
});
