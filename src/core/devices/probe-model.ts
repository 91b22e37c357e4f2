import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Input and output names of the probe model. */
export const PROBE_INPUT = 'input';
export const PROBE_OUTPUT = 'output';

/**
 * A tiny ONNX model for provider probes: one 1x1 convolution with identity weights, NCHW
 * with free batch, height and width (like the restoration models). A Conv exercises the
 * provider's real kernels, and the identity makes a wrong result detectable.
 */
export function buildProbeModel(): Uint8Array {
  const float = onnx.TensorProto.DataType.FLOAT;
  const shape = { dim: [{ dimParam: 'N' }, { dimValue: 3 }, { dimParam: 'H' }, { dimParam: 'W' }] };
  const tensor = (name: string) => ({ name, type: { tensorType: { elemType: float, shape } } });
  const weights = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'heirloom-device-probe',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'probe',
      input: [tensor(PROBE_INPUT)],
      output: [tensor(PROBE_OUTPUT)],
      initializer: [{ name: 'weights', dataType: float, dims: [3, 3, 1, 1], rawData: new Uint8Array(weights.buffer) }],
      node: [{ name: 'identity_conv', opType: 'Conv', input: [PROBE_INPUT, 'weights'], output: [PROBE_OUTPUT] }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
