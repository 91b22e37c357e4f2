import onnxProto from 'onnx-proto';
import type { Activation, ConversionGraph, ConvOp, EltwiseOp, GraphOp, ResizeOp } from './conversion-graph.js';
import { onnxWeightNames } from './onnx-weight-names.js';

const { onnx } = onnxProto;

/** ONNX IR 8 with opset 17: read by every ONNX Runtime since 1.13, onnxruntime-node 1.30 included. */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

export interface OnnxModelDescription {
  graphName: string;
  docString: string;
  /** Stored as metadata_props in this order; keep values free of paths and times for reproducible bytes. */
  metadata: ReadonlyArray<readonly [string, string]>;
}

const { FLOAT, FLOAT16, INT64 } = onnx.TensorProto.DataType;
const { FLOAT: ATTR_FLOAT, INT: ATTR_INT, STRING: ATTR_STRING, INTS: ATTR_INTS } = onnx.AttributeProto.AttributeType;

/**
 * Writes the conversion graph as an ONNX model with protobufjs (onnx-proto's generated
 * classes): float32 NCHW "input" [N,C,H,W] with dynamic N, H, W, and "output". Kernels that
 * ncnn stored as float16 stay float16 and are cast to float32 in the graph, which halves the file
 * without changing a single weight value. The same graph always encodes to the same bytes.
 */
export function buildOnnxModel(graph: ConversionGraph, description: OnnxModelDescription): Uint8Array {
  const writer = new GraphWriter(graph);
  for (const op of graph.ops) writer.emit(op);
  const inputValue = graph.values.get(graph.inputName);
  const outputValue = graph.values.get(graph.outputName);
  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'heirloom-ncnn-converter',
    producerVersion: '1',
    docString: description.docString,
    metadataProps: description.metadata.map(([key, value]) => ({ key, value })),
    graph: {
      name: description.graphName,
      node: writer.nodes,
      initializer: writer.initializers,
      input: [imageValueInfo(graph.inputName, inputValue?.channels ?? 0, ['height', 'width'])],
      output: [imageValueInfo(graph.outputName, outputValue?.channels ?? 0, ['out_height', 'out_width'])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

class GraphWriter {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly names: Set<string>;

  constructor(graph: ConversionGraph) {
    this.names = new Set(graph.values.keys());
  }

  emit(op: GraphOp): void {
    const layer = op.layer.name;
    const [first] = op.inputs;
    if (first === undefined) throw new Error(`${layer} has no input`);
    switch (op.op) {
      case 'conv':
        return this.conv(op, first);
      case 'prelu': {
        const dims = op.slopes.length === 1 ? [1] : [op.slopes.length, 1, 1];
        const slope = this.floatInitializer(onnxWeightNames.preluSlope(layer), dims, op.slopes);
        return this.node('PRelu', layer, [first, slope], op.output);
      }
      case 'activation':
        return this.activation(op.activation, layer, first, op.output);
      case 'eltwise':
        return this.eltwise(op);
      case 'binary': {
        const second = op.scalar === null ? op.inputs[1]! : this.floatInitializer(`${layer}.b`, [], [op.scalar]);
        return this.node(op.kind, layer, op.swapped ? [second, first] : [first, second], op.output);
      }
      case 'concat':
        return this.node('Concat', layer, op.inputs, op.output, [intAttr('axis', 1)]);
      case 'resize':
        return this.resize(op, first);
      case 'depth-to-space':
        return this.node('DepthToSpace', layer, [first], op.output, [intAttr('blocksize', op.blockSize), stringAttr('mode', op.mode)]);
      case 'identity':
        return this.node('Identity', layer, [first], op.output);
    }
  }

  private conv(op: ConvOp, input: string): void {
    const layer = op.layer.name;
    const dims = [op.outChannels, op.inChannels, op.kernel[0], op.kernel[1]];
    let weight: string;
    if (op.weight.float16Bits !== null) {
      const stored = this.initializer(onnxWeightNames.convWeightFloat16(layer), dims, FLOAT16, float16Bytes(op.weight.float16Bits));
      weight = this.unique(onnxWeightNames.convWeight(layer));
      this.node('Cast', `${layer}/cast`, [stored], weight, [intAttr('to', FLOAT)]);
    } else {
      weight = this.floatInitializer(onnxWeightNames.convWeight(layer), dims, op.weight.values);
    }
    const inputs = [input, weight];
    if (op.bias !== null) inputs.push(this.floatInitializer(onnxWeightNames.convBias(layer), [op.outChannels], op.bias));

    const attributes = [intsAttr('kernel_shape', op.kernel), intsAttr('strides', op.stride), intsAttr('dilations', op.dilation)];
    const padding = op.padding;
    if (padding.kind === 'same-upper') attributes.push(stringAttr('auto_pad', 'SAME_UPPER'));
    else if (padding.kind === 'same-lower') attributes.push(stringAttr('auto_pad', 'SAME_LOWER'));
    else if (op.padValue !== 0 && padding.top + padding.left + padding.bottom + padding.right > 0) {
      // ONNX Conv pads with zeros only: pad with ncnn's value first.
      const pads = this.int64Initializer(`${layer}.pads`, [0, 0, padding.top, padding.left, 0, 0, padding.bottom, padding.right]);
      const value = this.floatInitializer(`${layer}.pad_value`, [], [op.padValue]);
      inputs[0] = this.intermediate('Pad', `${layer}/pad`, [input, pads, value], [stringAttr('mode', 'constant')]);
    } else {
      attributes.push(intsAttr('pads', [padding.top, padding.left, padding.bottom, padding.right]));
    }
    if (op.activation.kind === 'none') {
      this.node('Conv', layer, inputs, op.output, attributes);
    } else {
      const convOut = this.intermediate('Conv', layer, inputs, attributes);
      this.activation(op.activation, layer, convOut, op.output);
    }
  }

  private activation(activation: Activation, layer: string, input: string, output: string): void {
    switch (activation.kind) {
      case 'none':
        return this.node('Identity', `${layer}/identity`, [input], output);
      case 'relu':
        return this.node('Relu', `${layer}/relu`, [input], output);
      case 'leaky-relu':
        return this.node('LeakyRelu', `${layer}/leaky_relu`, [input], output, [floatAttr('alpha', activation.slope)]);
      case 'clip': {
        const min = this.floatInitializer(`${layer}.clip_min`, [], [activation.min]);
        const max = this.floatInitializer(`${layer}.clip_max`, [], [activation.max]);
        return this.node('Clip', `${layer}/clip`, [input, min, max], output);
      }
      case 'sigmoid':
        return this.node('Sigmoid', `${layer}/sigmoid`, [input], output);
      case 'mish': {
        // Mish is an opset-18 op; x * tanh(softplus(x)) is the same function in opset 17.
        const softplus = this.intermediate('Softplus', `${layer}/softplus`, [input]);
        const tanh = this.intermediate('Tanh', `${layer}/tanh`, [softplus]);
        return this.node('Mul', `${layer}/mish`, [input, tanh], output);
      }
      case 'hard-swish': {
        // ncnn's hardswish is x * clamp(alpha x + beta, 0, 1): HardSigmoid with ncnn's alpha and beta.
        const gate = this.intermediate('HardSigmoid', `${layer}/hard_sigmoid`, [input], [floatAttr('alpha', activation.alpha), floatAttr('beta', activation.beta)]);
        return this.node('Mul', `${layer}/hard_swish`, [input, gate], output);
      }
    }
  }

  private eltwise(op: EltwiseOp): void {
    const layer = op.layer.name;
    if (op.kind === 'max') return this.node('Max', layer, op.inputs, op.output);
    let terms = op.inputs;
    if (op.coeffs !== null) {
      const coeffs = op.coeffs;
      terms = op.inputs.map((input, i) => {
        const coeff = coeffs[i]!;
        if (coeff === 1) return input;
        const factor = this.floatInitializer(`${layer}.coeff${i}`, [], [coeff]);
        return this.intermediate('Mul', `${layer}/scale${i}`, [input, factor]);
      });
    }
    const binary = op.kind === 'prod' ? 'Mul' : 'Add';
    if (op.kind === 'sum' && terms.length > 2) return this.node('Sum', layer, terms, op.output);
    // Mul is binary in ONNX: chain it in ncnn's order.
    let acc = terms[0]!;
    for (let i = 1; i < terms.length; i++) {
      if (i === terms.length - 1) this.node(binary, layer, [acc, terms[i]!], op.output);
      else acc = this.intermediate(binary, `${layer}/${binary.toLowerCase()}${i}`, [acc, terms[i]!]);
    }
  }

  private resize(op: ResizeOp, input: string): void {
    const layer = op.layer.name;
    const attributes = [stringAttr('mode', op.mode)];
    if (op.mode === 'nearest') {
      // ncnn picks source pixel floor(x / scale).
      attributes.push(stringAttr('coordinate_transformation_mode', 'asymmetric'), stringAttr('nearest_mode', 'floor'));
    } else {
      attributes.push(stringAttr('coordinate_transformation_mode', op.alignCorners ? 'align_corners' : 'half_pixel'));
      // ncnn's bicubic uses A = -0.75 and repeats edge pixels, as ONNX does with exclude_outside 0.
      if (op.mode === 'cubic') attributes.push(floatAttr('cubic_coeff_a', -0.75));
    }
    const [scaleY, scaleX] = op.scales ?? [1, 1];
    if (op.scales !== null && (op.mode === 'nearest' || (Number.isInteger(scaleY) && Number.isInteger(scaleX)))) {
      const scales = this.floatInitializer(`${layer}.scales`, [4], [1, 1, scaleY, scaleX]);
      return this.node('Resize', layer, [input, '', scales], op.output, attributes);
    }
    // Otherwise give Resize the output size, keeping N and C from the input. ncnn's bilinear and
    // bicubic map pixels by the true size ratio (in / out), which ONNX uses only when sizes are
    // given; with a scale like 1.5 on an odd side the two would differ. Nearest maps by the
    // scale factor itself, which is what ONNX does with scales.
    const shape = this.intermediate('Shape', `${layer}/shape`, [input]);
    const batchChannels = this.intermediate('Slice', `${layer}/batch_channels`, [shape, this.int64Initializer(`${layer}.nc_start`, [0]), this.int64Initializer(`${layer}.nc_end`, [2])]);
    let spatial: string;
    if (op.size !== null) {
      spatial = this.int64Initializer(`${layer}.size`, [op.size[0], op.size[1]]);
    } else {
      // floor(float(h) * scale), as ncnn computes its output size.
      const inputSize = this.intermediate('Slice', `${layer}/input_size`, [shape, this.int64Initializer(`${layer}.hw_start`, [2]), this.int64Initializer(`${layer}.hw_end`, [4])]);
      const asFloat = this.intermediate('Cast', `${layer}/input_size_float`, [inputSize], [intAttr('to', FLOAT)]);
      const scaled = this.intermediate('Mul', `${layer}/scaled_size`, [asFloat, this.floatInitializer(`${layer}.scale_factors`, [2], [scaleY, scaleX])]);
      const floored = this.intermediate('Floor', `${layer}/floored_size`, [scaled]);
      spatial = this.intermediate('Cast', `${layer}/output_size`, [floored], [intAttr('to', INT64)]);
    }
    const sizes = this.intermediate('Concat', `${layer}/sizes`, [batchChannels, spatial], [intAttr('axis', 0)]);
    this.node('Resize', layer, [input, '', '', sizes], op.output, attributes);
  }

  private node(opType: string, name: string, inputs: string[], output: string, attribute: onnxProto.onnx.IAttributeProto[] = []): void {
    this.nodes.push({ opType, name, input: inputs, output: [output], attribute });
  }

  /** A node whose output only feeds the next node of the same layer. */
  private intermediate(opType: string, name: string, inputs: string[], attribute: onnxProto.onnx.IAttributeProto[] = []): string {
    const output = this.unique(name);
    this.node(opType, name, inputs, output, attribute);
    return output;
  }

  private floatInitializer(name: string, dims: number[], values: ArrayLike<number>): string {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    return this.initializer(name, dims, FLOAT, bytes);
  }

  private int64Initializer(name: string, values: number[]): string {
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    return this.initializer(name, [values.length], INT64, bytes);
  }

  private initializer(name: string, dims: number[], dataType: number, rawData: Uint8Array): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims, dataType, rawData });
    return unique;
  }

  private unique(name: string): string {
    let candidate = name;
    for (let n = 1; this.names.has(candidate); n++) candidate = `${name}_${n}`;
    this.names.add(candidate);
    return candidate;
  }
}

function float16Bytes(bits: Uint16Array): Uint8Array {
  const bytes = new Uint8Array(bits.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < bits.length; i++) view.setUint16(i * 2, bits[i]!, true);
  return bytes;
}

function imageValueInfo(name: string, channels: number, spatial: [string, string]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: [{ dimParam: 'batch' }, { dimValue: channels }, { dimParam: spatial[0] }, { dimParam: spatial[1] }] },
      },
    },
  };
}

function intAttr(name: string, i: number): onnxProto.onnx.IAttributeProto {
  return { name, type: ATTR_INT, i };
}

function intsAttr(name: string, ints: readonly number[]): onnxProto.onnx.IAttributeProto {
  return { name, type: ATTR_INTS, ints: [...ints] };
}

function floatAttr(name: string, f: number): onnxProto.onnx.IAttributeProto {
  return { name, type: ATTR_FLOAT, f };
}

function stringAttr(name: string, value: string): onnxProto.onnx.IAttributeProto {
  return { name, type: ATTR_STRING, s: new TextEncoder().encode(value) };
}
