// What the converter must refuse rather than convert wrongly, and how it says so: every message
// names the layer (type and name) and the file, and tells the user what to do.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertNcnnToOnnx } from '../../../../src/core/models/ncnn/convert-ncnn-to-onnx.js';
import { HeirloomError } from '../../../../src/shared/errors.js';
import type { ErrorCode } from '../../../../src/shared/errors.js';
import { NcnnModelBuilder, float } from './synthetic-ncnn.js';
import type { SyntheticModel } from './synthetic-ncnn.js';

const paramFile = '/models/broken/model.param';
const binFile = '/models/broken/model.bin';

function convert(model: SyntheticModel): void {
  convertNcnnToOnnx({ ...model, paramFile, binFile });
}

function assertRefused(model: SyntheticModel, code: ErrorCode, ...mentions: (string | RegExp)[]): void {
  assert.throws(
    () => convert(model),
    (error: unknown) => {
      assert.ok(error instanceof HeirloomError, `expected a HeirloomError, got ${String(error)}`);
      assert.equal(error.code, code, error.message);
      for (const m of mentions) {
        if (typeof m === 'string') assert.ok(error.message.includes(m), `"${error.message}" should mention ${m}`);
        else assert.match(error.message, m);
      }
      return true;
    },
  );
}

/** Input -> conv_a -> conv_b, float16 weights: a well-formed model to break in different ways. */
function twoConvs(): NcnnModelBuilder {
  const b = new NcnnModelBuilder(7);
  const x = b.input({ channels: 3 });
  b.conv('conv_b', b.conv('conv_a', x, { out: 4, pad: 1 }), { out: 3, pad: 1 });
  return b;
}

describe('ncnn conversion refusals', () => {
  it('refuses an unknown layer type, naming the layer, the .param file and what to do', () => {
    const b = new NcnnModelBuilder(1);
    const x = b.conv('conv_a', b.input({ channels: 3 }), { out: 4, pad: 1 });
    b.simple('Softmax', 'softmax_1', [x], '0=0');
    assertRefused(b.build(), 'MODEL_CONVERSION_FAILED', 'Softmax "softmax_1"', paramFile, /Re-export the network without this layer/);
  });

  it('refuses a truncated .bin, naming the layer whose weights are cut and the .bin file', () => {
    const model = twoConvs().build();
    assertRefused({ ...model, bin: model.bin.subarray(0, model.bin.length - 20) }, 'MODEL_INVALID', 'Convolution "conv_b"', binFile, /truncated or does not belong/);
  });

  it('refuses a .bin cut inside a float16 tag or before the first layer', () => {
    const model = twoConvs().build();
    assertRefused({ ...model, bin: model.bin.subarray(0, 2) }, 'MODEL_INVALID', 'Convolution "conv_a"', binFile);
  });

  it('refuses leftover bytes after the last layer, naming that layer and the .bin file', () => {
    const b = twoConvs();
    b.appendBytes(new Uint8Array(8));
    assertRefused(b.build(), 'MODEL_INVALID', '8 bytes left', 'Convolution "conv_b"', binFile, paramFile);
  });

  it('refuses int8-quantized weights instead of misreading them', () => {
    const b = new NcnnModelBuilder(2);
    b.conv('conv_q', b.input({ channels: 3 }), { out: 3, pad: 1, encoding: 'int8' });
    assertRefused(b.build(), 'MODEL_CONVERSION_FAILED', 'Convolution "conv_q"', /int8/, /float16 or float32 version/);
  });

  it('refuses a param it does not implement (here a Convolution group), since ignoring it would change the maths', () => {
    const model = twoConvs().build();
    const edited = model.paramText.replace(/(Convolution\s+conv_b\s.*)$/m, '$1 7=2');
    assertRefused({ ...model, paramText: edited }, 'MODEL_CONVERSION_FAILED', 'Convolution "conv_b"', 'param 7');
  });

  it('refuses BinaryOp atan2, which has no ONNX equivalent here', () => {
    const b = new NcnnModelBuilder(3);
    const x = b.conv('conv_a', b.input({ channels: 3 }), { out: 3, pad: 1 });
    b.simple('BinaryOp', 'atan', [x], `0=10 1=1 2=${float(1)}`);
    assertRefused(b.build(), 'MODEL_CONVERSION_FAILED', 'BinaryOp "atan"', /atan2/);
  });

  it('refuses a network with two outputs', () => {
    const b = new NcnnModelBuilder(4);
    const [a, c] = b.split('split', b.input({ channels: 3 }), 2) as [string, string];
    b.conv('conv_a', a, { out: 3, pad: 1 });
    b.conv('conv_c', c, { out: 3, pad: 1 });
    assertRefused(b.build(), 'MODEL_CONVERSION_FAILED', '2 outputs', paramFile);
  });

  it('refuses a Convolution whose weight count does not fit its input channels', () => {
    const b = new NcnnModelBuilder(7);
    const a = b.conv('conv_a', b.input({ channels: 3 }), { out: 4, pad: 1 });
    // The builder is told the Concat gives 6 channels, so conv_b's weights are sized for 6; it really gets 4.
    b.conv('conv_b', b.simple('Concat', 'concat', [a], '0=0', 6), { out: 3, pad: 1 });
    assertRefused(b.build(), 'MODEL_INVALID', 'Convolution "conv_b"', /162 weights/, /4 input channels/);
  });

  it('refuses files that are not text ncnn .param files, saying which line is wrong', () => {
    const model = twoConvs().build();
    assertRefused({ ...model, paramText: model.paramText.replace('7767517', '1234') }, 'MODEL_INVALID', paramFile, /magic number 7767517/);
    assertRefused({ ...model, paramText: model.paramText.replace(/^3 /m, '4 ') }, 'MODEL_INVALID', /announces 4 layers but the file has 3/);
    assertRefused({ ...model, paramText: model.paramText.replace('conv_a_out 0=4', 'conv_a_out 0=4 -23310=3,1.0,2.0') }, 'MODEL_INVALID', /line 4/, /exactly count values/);
    assertRefused({ ...model, paramText: model.paramText.replace('1 1 conv_a_out conv_b_out', '1 1 nowhere conv_b_out') }, 'MODEL_INVALID', /reads blob "nowhere" before any layer produces it/);
  });
});
