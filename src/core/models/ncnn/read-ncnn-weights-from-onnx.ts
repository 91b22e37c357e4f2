import onnxProto from 'onnx-proto';
import { HeirloomError } from '../../../shared/errors.js';
import { float16ToFloat32 } from './float16.js';
import type { NcnnGraph } from './ncnn-graph.js';
import { onnxWeightNames } from './onnx-weight-names.js';
import type { NcnnLayerWeights, NcnnWeights } from './read-ncnn-weights.js';

const { onnx } = onnxProto;
const { FLOAT, FLOAT16 } = onnx.TensorProto.DataType;

/**
 * The NCNN layers' weights as found in an ONNX file this converter wrote, so the reference can
 * run a bundled model from its .param alone (its 33 MB .bin need not ship with the tests).
 */
export function readNcnnWeightsFromOnnx(graph: NcnnGraph, onnxBytes: Uint8Array, onnxFile: string): NcnnWeights {
  const model = onnx.ModelProto.decode(onnxBytes);
  const initializers = new Map((model.graph?.initializer ?? []).map((t) => [t.name, t]));
  const floats = (name: string): Float32Array | undefined => {
    const tensor = initializers.get(name);
    if (tensor === undefined) return undefined;
    const raw = tensor.rawData ?? new Uint8Array(0);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (tensor.dataType === FLOAT) {
      if (raw.byteLength === 0) return Float32Array.from(tensor.floatData ?? []);
      const values = new Float32Array(raw.byteLength / 4);
      for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
      return values;
    }
    if (tensor.dataType === FLOAT16) {
      const halves = new Uint16Array(raw.byteLength / 2);
      for (let i = 0; i < halves.length; i++) halves[i] = view.getUint16(i * 2, true);
      return float16ToFloat32(halves);
    }
    throw new HeirloomError('MODEL_INVALID', `Initializer ${name} in ${onnxFile} is neither float32 nor float16.`, { file: onnxFile });
  };
  const missing = (what: string): HeirloomError =>
    new HeirloomError('MODEL_INVALID', `${onnxFile} has no ${what}; it was not converted from this .param.`, { file: onnxFile });

  const weights = new Map<string, NcnnLayerWeights>();
  for (const layer of graph.layers) {
    if (layer.type === 'Convolution') {
      const half = floats(onnxWeightNames.convWeightFloat16(layer.name));
      const values = half ?? floats(onnxWeightNames.convWeight(layer.name));
      if (values === undefined) throw missing(`weights for ${layer.name}`);
      const entry: NcnnLayerWeights = { weight: { values, encoding: half ? 'float16' : 'float32', float16Bits: null } };
      const bias = floats(onnxWeightNames.convBias(layer.name));
      if (bias !== undefined) entry.bias = bias;
      weights.set(layer.name, entry);
    } else if (layer.type === 'PReLU') {
      const slopes = floats(onnxWeightNames.preluSlope(layer.name));
      if (slopes === undefined) throw missing(`slopes for ${layer.name}`);
      weights.set(layer.name, { slopes });
    }
  }
  return weights;
}
