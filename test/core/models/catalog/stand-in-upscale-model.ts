/**
 * Small generated ONNX models for model-manager tests: a nearest-neighbour upscaler with
 * dynamic N, H, W (a stand-in for Real-ESRGAN's signature), and variants with signatures
 * Heirloom must refuse.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const { FLOAT } = onnx.TensorProto.DataType;

type Dim = number | string;

function value(name: string, dims: readonly Dim[]): onnxProto.onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

/** RGB in, RGB out, `scale` times larger (Resize, nearest). `fixedSide` fixes H and W instead of leaving them dynamic. */
export function buildStandInUpscaleModel(options: { scale?: number; channels?: number; fixedSide?: number } = {}): Uint8Array {
  const scale = options.scale ?? 2;
  const channels = options.channels ?? 3;
  const h: Dim = options.fixedSide ?? 'height';
  const w: Dim = options.fixedSide ?? 'width';
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'heirloom-test-stand-in',
    graph: {
      name: 'stand_in_upscale',
      node: [{ opType: 'Resize', input: ['input', '', 'scales'], output: ['output'], attribute: [{ name: 'mode', type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode('nearest') }] }],
      initializer: [{ name: 'scales', dataType: FLOAT, dims: [4], floatData: [1, 1, scale, scale] }],
      input: [value('input', ['batch', channels, h, w])],
      output: [value('output', ['batch', channels, 'out_height', 'out_width'])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
