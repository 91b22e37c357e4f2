import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import type { GraphCost } from './analyse-conversion-graph.js';
import { analyseConversionGraph } from './analyse-conversion-graph.js';
import { buildOnnxModel } from './build-onnx-model.js';
import type { ConversionGraph } from './conversion-graph.js';
import { lowerNcnnGraph } from './lower-ncnn-graph.js';
import { checkNcnnLayerSupport } from './ncnn-layer-support.js';
import { parseNcnnParam } from './parse-ncnn-param.js';
import { readNcnnWeights } from './read-ncnn-weights.js';

/** An ncnn model in memory; the file names are for messages and provenance only. */
export interface NcnnSource {
  paramText: string;
  bin: Uint8Array;
  paramFile: string;
  binFile: string;
}

export interface NcnnConversion {
  onnx: Uint8Array;
  graph: ConversionGraph;
  cost: GraphCost;
  inputChannels: number;
  outputChannels: number;
  /** fp16 when every convolution kernel was stored as float16 (and so is in the ONNX file). */
  weightsPrecision: 'fp16' | 'fp32';
  paramSha256: string;
  binSha256: string;
}

/**
 * NCNN (.param text + .bin) to ONNX bytes, plus what the manifest needs to know about the graph.
 * Pure and deterministic: the same source gives the same bytes, so bundled models can be
 * rebuilt and compared. Throws HeirloomError (MODEL_INVALID / MODEL_CONVERSION_FAILED) naming
 * the layer and file for anything it cannot convert faithfully.
 */
export function convertNcnnToOnnx(source: NcnnSource): NcnnConversion {
  const files = { paramFile: source.paramFile, binFile: source.binFile };
  const parsed = parseNcnnParam(source.paramText, source.paramFile);
  checkNcnnLayerSupport(parsed, source.paramFile);
  const weights = readNcnnWeights(parsed, source.bin, files);
  const graph = lowerNcnnGraph(parsed, weights, files);

  const paramSha256 = sha256(new TextEncoder().encode(source.paramText));
  const binSha256 = sha256(source.bin);
  const paramName = basename(source.paramFile);
  const binName = basename(source.binFile);
  const onnx = buildOnnxModel(graph, {
    graphName: basename(paramName, extname(paramName)),
    docString: `Converted from the ncnn model ${paramName} + ${binName} by Heirloom's NCNN converter.`,
    // Names and digests only: a path or a date here would make rebuilt models differ.
    metadata: [
      ['source_param', paramName],
      ['source_param_sha256', paramSha256],
      ['source_bin', binName],
      ['source_bin_sha256', binSha256],
    ],
  });

  const kernels = graph.ops.flatMap((op) => (op.op === 'conv' ? [op.weight.encoding] : []));
  return {
    onnx,
    graph,
    cost: analyseConversionGraph(graph),
    inputChannels: graph.values.get(graph.inputName)?.channels ?? 0,
    outputChannels: graph.values.get(graph.outputName)?.channels ?? 0,
    weightsPrecision: kernels.length > 0 && kernels.every((e) => e === 'float16') ? 'fp16' : 'fp32',
    paramSha256,
    binSha256,
  };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
