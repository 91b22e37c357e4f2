import { HeirloomError } from '../../../shared/errors.js';
import { describeLayer } from './ncnn-graph.js';
import type { NcnnGraph, NcnnLayer } from './ncnn-graph.js';

interface LayerShape {
  /** Param ids whose meaning the converter implements; any other id could change the maths silently. */
  params: readonly number[];
  bottoms: readonly [min: number, max: number];
  tops: readonly [min: number, max: number];
}

const ANY = Number.POSITIVE_INFINITY;

/** The layer types (and their params) the converter and the reference both implement. */
export const SUPPORTED_NCNN_LAYERS: Readonly<Record<string, LayerShape>> = {
  Input: { params: [0, 1, 2], bottoms: [0, 0], tops: [1, 1] },
  // Up to 3 inputs so that a dynamic-weight Convolution is refused for what it is, not as damaged.
  Convolution: { params: [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19], bottoms: [1, 3], tops: [1, 1] },
  PReLU: { params: [0], bottoms: [1, 1], tops: [1, 1] },
  ReLU: { params: [0], bottoms: [1, 1], tops: [1, 1] },
  Split: { params: [], bottoms: [1, 1], tops: [1, ANY] },
  Concat: { params: [0], bottoms: [1, ANY], tops: [1, 1] },
  Eltwise: { params: [0, 1], bottoms: [2, ANY], tops: [1, 1] },
  BinaryOp: { params: [0, 1, 2], bottoms: [1, 2], tops: [1, 1] },
  Interp: { params: [0, 1, 2, 3, 4, 5, 6], bottoms: [1, 1], tops: [1, 1] },
  PixelShuffle: { params: [0, 1], bottoms: [1, 1], tops: [1, 1] },
};

/**
 * Refuses, before any weight is read, a layer type or param the converter does not implement,
 * naming the layer and the file so the user knows what to change.
 */
export function checkNcnnLayerSupport(graph: NcnnGraph, paramFile: string): void {
  for (const layer of graph.layers) {
    const shape = SUPPORTED_NCNN_LAYERS[layer.type];
    if (shape === undefined) {
      throw unsupported(
        layer,
        paramFile,
        `its type is not one Heirloom can convert (supported: ${Object.keys(SUPPORTED_NCNN_LAYERS).join(', ')}). Re-export the network without this layer, or convert the original model to ONNX with another tool`,
      );
    }
    const unknown = [...layer.params.keys()].filter((id) => !shape.params.includes(id));
    if (unknown.length > 0) {
      throw unsupported(
        layer,
        paramFile,
        `it sets param ${unknown.join(', ')}, which Heirloom's converter does not implement for ${layer.type}; converting it anyway could silently change the output. Re-export the layer without it`,
      );
    }
    const [minIn, maxIn] = shape.bottoms;
    const [minOut, maxOut] = shape.tops;
    if (layer.bottoms.length < minIn || layer.bottoms.length > maxIn || layer.tops.length < minOut || layer.tops.length > maxOut) {
      throw new HeirloomError(
        'MODEL_INVALID',
        `Layer ${describeLayer(layer)} (line ${layer.line}) in ${paramFile} has ${layer.bottoms.length} inputs and ${layer.tops.length} outputs, which a ${layer.type} cannot have; the .param file is damaged.`,
        { file: paramFile },
      );
    }
  }
}

function unsupported(layer: NcnnLayer, paramFile: string, problem: string): HeirloomError {
  return new HeirloomError(
    'MODEL_CONVERSION_FAILED',
    `Cannot convert layer ${describeLayer(layer)} (line ${layer.line}) of ${paramFile}: ${problem}.`,
    { file: paramFile },
  );
}
