import { HeirloomError } from '../../../shared/errors.js';
import { float16ToFloat32 } from './float16.js';
import { describeLayer } from './ncnn-graph.js';
import type { NcnnGraph, NcnnLayer } from './ncnn-graph.js';
import { NcnnLayerParams } from './ncnn-layer-params.js';

/** How a tagged ncnn weight blob was stored; decides whether the ONNX copy can stay float16. */
export type NcnnWeightEncoding = 'float32' | 'float16' | 'lut8';

export interface NcnnWeightBlob {
  /** Decoded values, in ncnn's order (a Convolution kernel is [out][in][kh][kw]). */
  values: Float32Array;
  encoding: NcnnWeightEncoding;
  /** The stored half-precision bits when encoding is float16, so an fp16 ONNX copy is lossless. */
  float16Bits: Uint16Array | null;
}

export interface NcnnLayerWeights {
  weight?: NcnnWeightBlob;
  bias?: Float32Array;
  slopes?: Float32Array;
}

/** Weights by layer name (the parser guarantees names are unique). */
export type NcnnWeights = ReadonlyMap<string, NcnnLayerWeights>;

export interface NcnnFiles {
  paramFile: string;
  binFile: string;
}

const TAG_FLOAT16 = 0x01306b47;
const TAG_INT8 = 0x000d4b38;
const TAG_FLOAT32_SCALED = 0x0002c056;

/**
 * Reads the .bin the way ncnn's ModelBin does: layer by layer in .param order, a Convolution
 * kernel as a tagged blob (float16, float32, 8-bit lookup table; int8 is refused), its bias and
 * PReLU slopes as raw float32. A .bin that ends early or has bytes left over does not belong
 * to the .param, and is refused naming the layer and the file.
 */
export function readNcnnWeights(graph: NcnnGraph, bin: Uint8Array, files: NcnnFiles): NcnnWeights {
  const cursor = new BinCursor(bin, files);
  const weights = new Map<string, NcnnLayerWeights>();
  let lastWeighted: NcnnLayer | undefined;
  for (const layer of graph.layers) {
    const params = new NcnnLayerParams(layer, files.paramFile);
    const read = readLayer(layer, params, cursor, files);
    if (read !== undefined) {
      weights.set(layer.name, read);
      lastWeighted = layer;
    }
  }
  if (cursor.remaining() > 0) {
    const after = lastWeighted === undefined ? 'although no layer has weights' : `after the weights of the last layer, ${describeLayer(lastWeighted)}`;
    throw new HeirloomError(
      'MODEL_INVALID',
      `The weights file ${files.binFile} has ${cursor.remaining()} bytes left ${after}; it does not belong to ${files.paramFile}. Use the .param and .bin that were exported together.`,
      { file: files.binFile },
    );
  }
  return weights;
}

function readLayer(layer: NcnnLayer, params: NcnnLayerParams, cursor: BinCursor, files: NcnnFiles): NcnnLayerWeights | undefined {
  switch (layer.type) {
    case 'Convolution': {
      const numOutput = params.int(0, 0);
      const weightSize = params.int(6, 0);
      if (params.int(19, 0) !== 0) {
        throw refuse(layer, files, 'it takes its weights from another blob (dynamic_weight), which an ONNX Conv with fixed weights cannot express');
      }
      if (params.int(8, 0) !== 0) {
        throw refuse(layer, files, 'it is int8-quantized (int8_scale_term), and Heirloom does not dequantize int8 ncnn models. Use the float16 or float32 version of the model');
      }
      if (numOutput <= 0 || weightSize <= 0) {
        throw malformed(layer, files, 'it declares no outputs or no weights (params 0 and 6)');
      }
      const weight = cursor.readTagged(weightSize, layer);
      const bias = params.int(5, 0) !== 0 ? cursor.readFloat32(numOutput, layer) : undefined;
      return bias === undefined ? { weight } : { weight, bias };
    }
    case 'PReLU': {
      const numSlope = params.int(0, 0);
      if (numSlope <= 0) throw malformed(layer, files, 'it declares no slopes (param 0)');
      return { slopes: cursor.readFloat32(numSlope, layer) };
    }
    case 'Input':
    case 'ReLU':
    case 'Split':
    case 'Concat':
    case 'Eltwise':
    case 'BinaryOp':
    case 'Interp':
    case 'PixelShuffle':
      return undefined;
    default:
      // Without knowing a layer's weights the rest of the .bin cannot be located.
      throw refuse(layer, files, 'its type is not one Heirloom can convert, so its weights in the .bin cannot be read');
  }
}

/** Sequential little-endian reads that name the layer when the file runs out. */
class BinCursor {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly bin: Uint8Array,
    private readonly files: NcnnFiles,
  ) {
    this.view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  }

  remaining(): number {
    return this.bin.byteLength - this.offset;
  }

  readFloat32(count: number, layer: NcnnLayer): Float32Array {
    this.need(count * 4, layer);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.view.getFloat32(this.offset + i * 4, true);
    this.offset += count * 4;
    return out;
  }

  readTagged(count: number, layer: NcnnLayer): NcnnWeightBlob {
    this.need(4, layer);
    const tag = this.view.getUint32(this.offset, true);
    this.offset += 4;
    if (tag === TAG_FLOAT16) {
      this.need(align4(count * 2), layer);
      const bits = new Uint16Array(count);
      for (let i = 0; i < count; i++) bits[i] = this.view.getUint16(this.offset + i * 2, true);
      this.offset += align4(count * 2);
      return { values: float16ToFloat32(bits), encoding: 'float16', float16Bits: bits };
    }
    if (tag === TAG_INT8) {
      throw refuse(layer, this.files, 'its weights are stored as int8, and Heirloom does not dequantize int8 ncnn models. Use the float16 or float32 version of the model');
    }
    if (tag === 0 || tag === TAG_FLOAT32_SCALED) {
      return { values: this.readFloat32(count, layer), encoding: 'float32', float16Bits: null };
    }
    // Any other tag is ncnn's 8-bit quantisation: a 256-entry float table, then one index per weight.
    const table = this.readFloat32(256, layer);
    this.need(align4(count), layer);
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = table[this.bin[this.offset + i]!]!;
    this.offset += align4(count);
    return { values, encoding: 'lut8', float16Bits: null };
  }

  private need(bytes: number, layer: NcnnLayer): void {
    if (this.remaining() >= bytes) return;
    throw new HeirloomError(
      'MODEL_INVALID',
      `The weights file ${this.files.binFile} ends too early: layer ${describeLayer(layer)} (line ${layer.line} of ${this.files.paramFile}) needs ${bytes} bytes at offset ${this.offset} but only ${this.remaining()} remain. The .bin is truncated or does not belong to this .param; get both files again from the same source.`,
      { file: this.files.binFile },
    );
  }
}

function align4(bytes: number): number {
  return (bytes + 3) & ~3;
}

function refuse(layer: NcnnLayer, files: NcnnFiles, problem: string): HeirloomError {
  return new HeirloomError(
    'MODEL_CONVERSION_FAILED',
    `Cannot convert layer ${describeLayer(layer)} (line ${layer.line}) of ${files.paramFile}: ${problem}.`,
    { file: files.paramFile },
  );
}

function malformed(layer: NcnnLayer, files: NcnnFiles, problem: string): HeirloomError {
  return new HeirloomError(
    'MODEL_INVALID',
    `Layer ${describeLayer(layer)} (line ${layer.line}) of ${files.paramFile} is malformed: ${problem}; the .param file is damaged.`,
    { file: files.paramFile },
  );
}
