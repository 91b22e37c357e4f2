import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { float16ToFloat32 } from '../../../../src/core/models/ncnn/float16.js';
import { modelIdFromFileName } from '../../../../src/core/models/ncnn/model-id-from-file-name.js';
import { parseNcnnParam } from '../../../../src/core/models/ncnn/parse-ncnn-param.js';
import { readNcnnWeights } from '../../../../src/core/models/ncnn/read-ncnn-weights.js';
import { FIXTURES } from './reference-harness.js';
import { NcnnModelBuilder, float32Bytes, toFloat16Bits } from './synthetic-ncnn.js';

describe('ncnn .param parsing', () => {
  it('reads layers, blobs, int / float / array params and multi-top Splits as ncnn does', () => {
    const text = [
      '7767517',
      '4 5',
      'Input            input.1   0 1 data',
      'Split            split     1 2 data a b',
      'Convolution      Conv_1    1 1 a c 0=32 1=3 4=1 5=1 6=864 9=2 -23310=1,2.000000e-01',
      'Eltwise          Add_2     2 1 c b out 0=1 -23301=2,2.000000e-01,1',
      '',
    ].join('\n');
    const graph = parseNcnnParam(text, 'x.param');
    assert.equal(graph.blobCount, 5);
    assert.deepEqual(
      graph.layers.map((l) => [l.type, l.name, l.bottoms, l.tops, l.line]),
      [
        ['Input', 'input.1', [], ['data'], 3],
        ['Split', 'split', ['data'], ['a', 'b'], 4],
        ['Convolution', 'Conv_1', ['a'], ['c'], 5],
        ['Eltwise', 'Add_2', ['c', 'b'], ['out'], 6],
      ],
    );
    const conv = graph.layers[2]!.params;
    assert.deepEqual(conv.get(0), { kind: 'int', value: 32 });
    assert.deepEqual(conv.get(10), { kind: 'array', values: [0.2], float: true });
    // An array is float as soon as one element is written as a float, as in ncnn.
    assert.deepEqual(graph.layers[3]!.params.get(1), { kind: 'array', values: [0.2, 1], float: true });
  });

  it('parses both real Real-ESRGAN .param files', () => {
    const general = parseNcnnParam(readFileSync(join(FIXTURES, 'realesr-general-x4v3.param'), 'utf8'), 'g');
    const plus = parseNcnnParam(readFileSync(join(FIXTURES, 'realesrgan-x4plus.param'), 'utf8'), 'p');
    assert.equal(general.layers.length, 72);
    assert.equal(plus.layers.length, 999);
    const split = plus.layers.find((l) => l.name === 'splitncnn_0');
    assert.equal(split?.tops.length, 8);
  });
});

describe('ncnn .bin reading', () => {
  it('decodes every float16 bit pattern exactly', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const decoded = float16ToFloat32(all);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const exponent = (h >> 10) & 0x1f;
      const fraction = h & 0x3ff;
      const expected =
        exponent === 0 ? sign * fraction * 2 ** -24 : exponent === 31 ? (fraction ? Number.NaN : sign * Infinity) : sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
      assert.ok(Object.is(decoded[h], expected) || (Number.isNaN(expected) && Number.isNaN(decoded[h]!)), `half 0x${h.toString(16)}: ${decoded[h]} vs ${expected}`);
    }
  });

  it('reads float32, float16 and 8-bit-table kernels, biases and PReLU slopes in .param order', () => {
    const b = new NcnnModelBuilder(5);
    const x = b.input({ channels: 1 });
    const c1 = b.conv('c_fp32', x, { out: 2, kernel: 1, encoding: 'float32' });
    const c2 = b.conv('c_fp16', c1, { out: 2, kernel: 1, bias: false, encoding: 'float16' });
    const c3 = b.conv('c_lut', c2, { out: 3, kernel: 1, encoding: 'lut8' });
    b.prelu('p', c3);
    const model = b.build();
    const graph = parseNcnnParam(model.paramText, 'm.param');
    const weights = readNcnnWeights(graph, model.bin, { paramFile: 'm.param', binFile: 'm.bin' });

    const fp32 = weights.get('c_fp32')!;
    assert.equal(fp32.weight?.encoding, 'float32');
    assert.deepEqual([...new Uint8Array(fp32.weight!.values.buffer)], [...model.bin.subarray(4, 12)]);
    assert.equal(fp32.bias?.length, 2);
    const fp16 = weights.get('c_fp16')!;
    assert.equal(fp16.weight?.encoding, 'float16');
    assert.equal(fp16.bias, undefined);
    assert.deepEqual([...fp16.weight!.float16Bits!].map((h) => toFloat16Bits(float16ToFloat32(Uint16Array.of(h))[0]!)), [...fp16.weight!.float16Bits!]);
    const lut = weights.get('c_lut')!;
    assert.equal(lut.weight?.encoding, 'lut8');
    assert.equal(lut.weight?.values.length, 6);
    assert.equal(weights.get('p')?.slopes?.length, 3);
  });

  it('skips the 2 padding bytes after an odd-length float16 blob', () => {
    const b = new NcnnModelBuilder(6);
    const x = b.conv('odd', b.input({ channels: 1 }), { out: 1, kernel: 3, bias: false, encoding: 'float16' }); // 9 halves = 18 bytes + 2
    b.prelu('after', x);
    const model = b.build();
    assert.equal(model.bin.length, 4 + 20 + 4);
    const weights = readNcnnWeights(parseNcnnParam(model.paramText, 'o.param'), model.bin, { paramFile: 'o.param', binFile: 'o.bin' });
    assert.deepEqual([...weights.get('after')!.slopes!], [...new Float32Array(model.bin.slice(24).buffer)]);
    assert.deepEqual(float32Bytes([1]), new Uint8Array([0, 0, 0x80, 0x3f]));
  });

  it('reads the real realesr-general-x4v3 weights: 34 float16 kernels, every byte accounted for', () => {
    const graph = parseNcnnParam(readFileSync(join(FIXTURES, 'realesr-general-x4v3.param'), 'utf8'), 'g.param');
    const weights = readNcnnWeights(graph, readFileSync(join(FIXTURES, 'realesr-general-x4v3.bin')), { paramFile: 'g.param', binFile: 'g.bin' });
    const kernels = [...weights.values()].filter((w) => w.weight !== undefined);
    assert.equal(kernels.length, 34);
    assert.ok(kernels.every((w) => w.weight?.encoding === 'float16' && w.bias !== undefined));
    assert.equal([...weights.values()].filter((w) => w.slopes?.length === 64).length, 33);
  });
});

describe('model ids from file names', () => {
  it('makes a valid manifest id from any file name', () => {
    assert.equal(modelIdFromFileName('/x/RealESRGAN_x4plus.param'), 'realesrgan_x4plus');
    assert.equal(modelIdFromFileName('My Model (v2).param'), 'my-model-v2');
    assert.equal(modelIdFromFileName('__.param'), 'imported-model');
    assert.equal(modelIdFromFileName(`${'a'.repeat(80)}.param`).length, 64);
  });
});
