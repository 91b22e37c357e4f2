import { HeirloomError } from '../../../shared/errors.js';
import type { Activation, BinaryKind, ConvOp, ConvPadding, ConversionGraph, GraphOp, GraphValue, RelativeScale, ResizeOp } from './conversion-graph.js';
import { describeLayer } from './ncnn-graph.js';
import type { NcnnGraph, NcnnLayer } from './ncnn-graph.js';
import { NcnnLayerParams } from './ncnn-layer-params.js';
import type { NcnnFiles, NcnnWeights } from './read-ncnn-weights.js';

export const ONNX_INPUT_NAME = 'input';
export const ONNX_OUTPUT_NAME = 'output';

type OpFields = Pick<GraphOp, 'layer' | 'inputs' | 'output'>;

const BINARY_OPS: Readonly<Record<number, { kind: BinaryKind; swapped: boolean }>> = {
  0: { kind: 'Add', swapped: false },
  1: { kind: 'Sub', swapped: false },
  2: { kind: 'Mul', swapped: false },
  3: { kind: 'Div', swapped: false },
  4: { kind: 'Max', swapped: false },
  5: { kind: 'Min', swapped: false },
  6: { kind: 'Pow', swapped: false },
  7: { kind: 'Sub', swapped: true },
  8: { kind: 'Div', swapped: true },
  9: { kind: 'Pow', swapped: true },
};

/**
 * Interprets the NCNN layers (params, weights, blob wiring) into ops with ONNX tensor names,
 * inferring every tensor's channel count and its size relative to the input so that shape
 * mistakes are caught here, naming the layer, rather than by ONNX Runtime at the first run.
 * Call checkNcnnLayerSupport first: this assumes known layer types and params.
 */
export function lowerNcnnGraph(graph: NcnnGraph, weights: NcnnWeights, files: NcnnFiles): ConversionGraph {
  return new Lowering(graph, weights, files).run();
}

class Lowering {
  /** NCNN blob name to ONNX tensor name; Split tops map to their bottom's tensor. */
  private readonly tensorOf = new Map<string, string>();
  private readonly values = new Map<string, GraphValue>();
  private readonly usedNames = new Set<string>([ONNX_INPUT_NAME, ONNX_OUTPUT_NAME]);
  private readonly ops: GraphOp[] = [];

  constructor(
    private readonly graph: NcnnGraph,
    private readonly weights: NcnnWeights,
    private readonly files: NcnnFiles,
  ) {}

  run(): ConversionGraph {
    const inputLayers = this.graph.layers.filter((l) => l.type === 'Input');
    if (inputLayers.length !== 1) {
      throw this.modelError(`it has ${inputLayers.length} Input layers; Heirloom converts networks with exactly one image input`);
    }
    const outputBlob = this.findOutputBlob();
    for (const layer of this.graph.layers) this.lowerLayer(layer, outputBlob);

    const outputTensor = this.tensor(outputBlob);
    if (outputTensor !== ONNX_OUTPUT_NAME) {
      // Only when the network passes its input straight through.
      this.ops.push({ op: 'identity', layer: { type: 'Identity', name: 'output_identity' }, inputs: [outputTensor], output: ONNX_OUTPUT_NAME });
      this.values.set(ONNX_OUTPUT_NAME, this.value(outputTensor));
    }
    return { inputName: ONNX_INPUT_NAME, outputName: ONNX_OUTPUT_NAME, ops: this.ops, values: this.values };
  }

  /** The one blob no layer reads (unused Split branches aside): the network's result. */
  private findOutputBlob(): string {
    const consumed = new Set(this.graph.layers.flatMap((l) => l.bottoms));
    const outputs = this.graph.layers.filter((l) => l.type !== 'Split').flatMap((l) => l.tops.filter((t) => !consumed.has(t)));
    const [only] = outputs;
    if (outputs.length !== 1 || only === undefined) {
      throw this.modelError(`it has ${outputs.length} outputs (${outputs.join(', ') || 'none'}); Heirloom converts networks with exactly one output image`);
    }
    return only;
  }

  private lowerLayer(layer: NcnnLayer, outputBlob: string): void {
    const params = new NcnnLayerParams(layer, this.files.paramFile);
    if (layer.type === 'Split') {
      const source = this.tensor(layer.bottoms[0]!);
      for (const top of layer.tops) this.tensorOf.set(top, source);
      return;
    }
    const top = layer.tops[0]!;
    const output = this.name(top, layer.type === 'Input' ? ONNX_INPUT_NAME : top === outputBlob ? ONNX_OUTPUT_NAME : undefined);
    if (layer.type === 'Input') {
      this.values.set(output, { channels: this.inputChannels(layer, params), scale: { y: 1, x: 1 } });
      return;
    }
    const inputs = layer.bottoms.map((b) => this.tensor(b));
    const first = this.value(inputs[0]!);
    const base = { layer: { type: layer.type, name: layer.name }, inputs, output };

    switch (layer.type) {
      case 'Convolution': {
        const op = this.convolution(layer, params, first, base);
        this.ops.push(op);
        this.values.set(output, { channels: op.outChannels, scale: divideScale(first.scale, op.stride) });
        return;
      }
      case 'PReLU': {
        const slopes = this.weights.get(layer.name)?.slopes ?? new Float32Array(0);
        if (slopes.length !== 1 && slopes.length !== first.channels) {
          throw this.layerError(layer, `it has ${slopes.length} slopes for ${first.channels} channels`);
        }
        this.ops.push({ ...base, op: 'prelu', slopes });
        this.values.set(output, first);
        return;
      }
      case 'ReLU': {
        const slope = params.float(0, 0);
        this.ops.push({ ...base, op: 'activation', activation: slope === 0 ? { kind: 'relu' } : { kind: 'leaky-relu', slope } });
        this.values.set(output, first);
        return;
      }
      case 'Concat': {
        const axis = params.int(0, 0);
        if (axis !== 0 && axis !== -3) {
          throw this.unsupported(layer, `it concatenates along axis ${axis}; only channel concatenation (axis 0) is supported`);
        }
        this.requireSameScale(layer, inputs);
        const channels = inputs.reduce((sum, t) => sum + this.value(t).channels, 0);
        this.ops.push({ ...base, op: 'concat' });
        this.values.set(output, { channels, scale: first.scale });
        return;
      }
      case 'Eltwise': {
        const kind = (['prod', 'sum', 'max'] as const)[params.int(0, 0)];
        if (kind === undefined) throw this.unsupported(layer, `its operation ${params.int(0, 0)} is not prod (0), sum (1) or max (2)`);
        const coeffs = params.floats(1);
        if (kind === 'sum' && coeffs.length > 0 && coeffs.length !== inputs.length) {
          throw this.layerError(layer, `it has ${coeffs.length} coefficients for ${inputs.length} inputs`);
        }
        this.requireSameShape(layer, inputs);
        this.ops.push({ ...base, op: 'eltwise', kind, coeffs: kind === 'sum' && coeffs.length > 0 ? coeffs : null });
        this.values.set(output, first);
        return;
      }
      case 'BinaryOp': {
        const opType = params.int(0, 0);
        const mapped = BINARY_OPS[opType];
        if (mapped === undefined) {
          throw this.unsupported(layer, `its operation ${opType} (${opType === 10 || opType === 11 ? 'atan2' : 'unknown'}) has no ONNX equivalent here`);
        }
        const withScalar = params.int(1, 0) !== 0;
        if (inputs.length !== (withScalar ? 1 : 2)) {
          throw this.layerError(layer, withScalar ? 'with a scalar operand (param 1) it takes one input' : 'without a scalar operand it takes two inputs');
        }
        if (!withScalar) this.requireSameShape(layer, inputs);
        this.ops.push({ ...base, op: 'binary', kind: mapped.kind, swapped: mapped.swapped, scalar: withScalar ? params.float(2, 0) : null });
        this.values.set(output, first);
        return;
      }
      case 'Interp': {
        const op = this.interp(layer, params, base);
        this.ops.push(op);
        const scale = op.scales === null || first.scale === null ? null : { y: first.scale.y * op.scales[0], x: first.scale.x * op.scales[1] };
        this.values.set(output, { channels: first.channels, scale });
        return;
      }
      case 'PixelShuffle': {
        const factor = params.int(0, 1);
        const mode = params.int(1, 0);
        if (factor < 1 || first.channels % (factor * factor) !== 0) {
          throw this.layerError(layer, `its factor ${factor} does not divide its ${first.channels} input channels into whole pixels`);
        }
        if (mode !== 0 && mode !== 1) throw this.unsupported(layer, `its mode ${mode} is neither 0 (PyTorch order) nor 1 (TensorFlow order)`);
        // ncnn mode 0 reads channel p*r*r + sh*r + sw: PyTorch's pixel_shuffle, ONNX DepthToSpace CRD.
        this.ops.push({ ...base, op: 'depth-to-space', blockSize: factor, mode: mode === 0 ? 'CRD' : 'DCR' });
        this.values.set(output, { channels: first.channels / (factor * factor), scale: multiplyScale(first.scale, factor) });
        return;
      }
      default:
        throw this.unsupported(layer, 'its type is not one Heirloom can convert');
    }
  }

  private convolution(layer: NcnnLayer, params: NcnnLayerParams, input: GraphValue, base: OpFields): ConvOp {
    const outChannels = params.int(0, 0);
    const kernelW = params.int(1, 0);
    const kernelH = params.int(11, kernelW);
    const dilationW = params.int(2, 1);
    const dilationH = params.int(12, dilationW);
    const strideW = params.int(3, 1);
    const strideH = params.int(13, strideW);
    const weightSize = params.int(6, 0);
    if (layer.bottoms.length !== 1) throw this.unsupported(layer, 'it takes its weights from other blobs (dynamic_weight)');
    if ([kernelW, kernelH, dilationW, dilationH, strideW, strideH].some((v) => v < 1)) {
      throw this.layerError(layer, 'its kernel, dilation and stride must all be at least 1');
    }
    if (weightSize !== outChannels * input.channels * kernelH * kernelW) {
      throw this.layerError(
        layer,
        `it has ${weightSize} weights, but ${outChannels} outputs x ${input.channels} input channels x ${kernelH}x${kernelW} kernel need ${outChannels * input.channels * kernelH * kernelW}`,
      );
    }
    const layerWeights = this.weights.get(layer.name);
    if (layerWeights?.weight === undefined) throw this.layerError(layer, 'its weights are missing');
    const padValue = params.float(18, 0);
    const padding = this.convPadding(layer, params);
    if (padding.kind !== 'explicit' && padValue !== 0) {
      throw this.unsupported(layer, 'it pads to "same" size with a non-zero pad value');
    }
    return {
      ...base,
      op: 'conv',
      inChannels: input.channels,
      outChannels,
      kernel: [kernelH, kernelW],
      stride: [strideH, strideW],
      dilation: [dilationH, dilationW],
      padding,
      padValue,
      weight: layerWeights.weight,
      bias: layerWeights.bias ?? null,
      activation: this.activation(layer, params.int(9, 0), params.floats(10)),
    };
  }

  private convPadding(layer: NcnnLayer, params: NcnnLayerParams): ConvPadding {
    const left = params.int(4, 0);
    const right = params.int(15, left);
    const top = params.int(14, left);
    const bottom = params.int(16, top);
    const all = [left, right, top, bottom];
    // ncnn's -233 / -234 ask for TensorFlow-style "same" padding, extra pixel after / before.
    if (all.every((p) => p === -233)) return { kind: 'same-upper' };
    if (all.every((p) => p === -234)) return { kind: 'same-lower' };
    if (all.some((p) => p < 0)) throw this.unsupported(layer, `its padding ${all.join(', ')} mixes automatic and explicit values`);
    return { kind: 'explicit', top, left, bottom, right };
  }

  private activation(layer: NcnnLayer, type: number, args: number[]): Activation {
    const need = (count: number): void => {
      if (args.length < count) throw this.layerError(layer, `its activation ${type} needs ${count} parameters in param 10 but has ${args.length}`);
    };
    switch (type) {
      case 0:
        return { kind: 'none' };
      case 1:
        return { kind: 'relu' };
      case 2:
        need(1);
        return { kind: 'leaky-relu', slope: args[0]! };
      case 3:
        need(2);
        return { kind: 'clip', min: args[0]!, max: args[1]! };
      case 4:
        return { kind: 'sigmoid' };
      case 5:
        return { kind: 'mish' };
      case 6:
        need(2);
        return { kind: 'hard-swish', alpha: args[0]!, beta: args[1]! };
      default:
        throw this.unsupported(layer, `its fused activation type ${type} is unknown (0 none, 1 ReLU, 2 LeakyReLU, 3 clip, 4 sigmoid, 5 mish, 6 hardswish)`);
    }
  }

  private interp(layer: NcnnLayer, params: NcnnLayerParams, base: OpFields): ResizeOp {
    const mode = ({ 1: 'nearest', 2: 'linear', 3: 'cubic' } as const)[params.int(0, 0) as 1 | 2 | 3];
    if (mode === undefined) throw this.unsupported(layer, `its resize type ${params.int(0, 0)} is not nearest (1), bilinear (2) or bicubic (3)`);
    if (params.int(5, 0) !== 0) throw this.unsupported(layer, 'it takes its output size from another blob (dynamic_target_size)');
    const alignCorners = params.int(6, 0) !== 0;
    const outHeight = params.int(3, 0);
    const outWidth = params.int(4, 0);
    // ncnn uses the fixed size only when both sides are given; otherwise the scale factors.
    if (outHeight > 0 && outWidth > 0) return { ...base, op: 'resize', mode, alignCorners, scales: null, size: [outHeight, outWidth] };
    const scales = [params.float(1, 1), params.float(2, 1)] as const;
    if (!(scales[0] > 0 && scales[1] > 0)) throw this.layerError(layer, `its scale factors ${scales.join(' x ')} are not positive`);
    return { ...base, op: 'resize', mode, alignCorners, scales, size: null };
  }

  private inputChannels(layer: NcnnLayer, params: NcnnLayerParams): number {
    const declared = params.int(2, 0);
    if (declared > 0) return declared;
    // Real-ESRGAN's .param leaves the Input's channels out; the first convolution on it tells.
    const inputBlobs = new Set(layer.tops);
    for (const candidate of this.graph.layers) {
      if (candidate.type === 'Split' && inputBlobs.has(candidate.bottoms[0]!)) candidate.tops.forEach((t) => inputBlobs.add(t));
      if (candidate.type === 'Convolution' && inputBlobs.has(candidate.bottoms[0]!)) {
        const p = new NcnnLayerParams(candidate, this.files.paramFile);
        const kernelW = p.int(1, 0);
        const perInput = p.int(0, 0) * kernelW * p.int(11, kernelW);
        const channels = perInput > 0 ? p.int(6, 0) / perInput : 0;
        if (Number.isInteger(channels) && channels > 0) return channels;
      }
    }
    throw this.layerError(layer, 'its channel count (param 2) is not set and no convolution reads the input directly to infer it; add 2=3 to the Input line');
  }

  private requireSameScale(layer: NcnnLayer, inputs: string[]): void {
    const scales = inputs.map((t) => this.value(t).scale);
    const first = scales[0] ?? null;
    const same = scales.every((s) => (s === null ? first === null : first !== null && s.x === first.x && s.y === first.y));
    if (!same || (first === null && inputs.length > 1)) {
      throw this.unsupported(layer, 'its inputs have different (or fixed) spatial sizes');
    }
  }

  private requireSameShape(layer: NcnnLayer, inputs: string[]): void {
    this.requireSameScale(layer, inputs);
    const channels = inputs.map((t) => this.value(t).channels);
    if (channels.some((c) => c !== channels[0])) {
      throw this.unsupported(layer, `its inputs have different channel counts (${channels.join(', ')}), and ncnn's broadcasting rules are not converted`);
    }
  }

  private tensor(blob: string): string {
    const name = this.tensorOf.get(blob);
    if (name === undefined) throw new HeirloomError('INTERNAL', `Blob "${blob}" has no tensor; the .param was not checked before lowering.`);
    return name;
  }

  private value(tensor: string): GraphValue {
    const value = this.values.get(tensor);
    if (value === undefined) throw new HeirloomError('INTERNAL', `Tensor "${tensor}" has no shape information.`);
    return value;
  }

  /** Gives an NCNN blob its ONNX tensor name: the blob's own unless reserved or taken. */
  private name(blob: string, fixed: string | undefined): string {
    let name = fixed ?? blob;
    for (let n = 1; fixed === undefined && this.usedNames.has(name); n++) name = `${blob}_${n}`;
    this.usedNames.add(name);
    this.tensorOf.set(blob, name);
    return name;
  }

  private layerError(layer: NcnnLayer, problem: string): HeirloomError {
    return new HeirloomError(
      'MODEL_INVALID',
      `Layer ${describeLayer(layer)} (line ${layer.line}) of ${this.files.paramFile} does not fit the network: ${problem}. The .param file is damaged or does not match the .bin.`,
      { file: this.files.paramFile },
    );
  }

  private unsupported(layer: NcnnLayer, problem: string): HeirloomError {
    return new HeirloomError(
      'MODEL_CONVERSION_FAILED',
      `Cannot convert layer ${describeLayer(layer)} (line ${layer.line}) of ${this.files.paramFile}: ${problem}. Re-export the network without this feature, or convert the original model to ONNX with another tool.`,
      { file: this.files.paramFile },
    );
  }

  private modelError(problem: string): HeirloomError {
    return new HeirloomError('MODEL_CONVERSION_FAILED', `Cannot convert the ncnn model ${this.files.paramFile}: ${problem}.`, { file: this.files.paramFile });
  }
}

function divideScale(scale: RelativeScale | null, stride: readonly [number, number]): RelativeScale | null {
  return scale === null ? null : { y: scale.y / stride[0], x: scale.x / stride[1] };
}

function multiplyScale(scale: RelativeScale | null, factor: number): RelativeScale | null {
  return scale === null ? null : { y: scale.y * factor, x: scale.x * factor };
}
