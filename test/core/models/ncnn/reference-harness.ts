import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelSession } from '../../../../src/core/inference/ort-backend.js';
import type { TensorData } from '../../../../src/core/inference/ort-backend.js';
import { convertNcnnToOnnx } from '../../../../src/core/models/ncnn/convert-ncnn-to-onnx.js';
import type { NcnnConversion } from '../../../../src/core/models/ncnn/convert-ncnn-to-onnx.js';
import type { ReferenceTensor } from '../../../../src/core/models/ncnn/ncnn-reference.js';
import { runNcnnReference } from '../../../../src/core/models/ncnn/ncnn-reference.js';
import { parseNcnnParam } from '../../../../src/core/models/ncnn/parse-ncnn-param.js';
import { readNcnnWeights } from '../../../../src/core/models/ncnn/read-ncnn-weights.js';
import type { SyntheticModel } from './synthetic-ncnn.js';

export const FIXTURES = new URL('../../../fixtures/ncnn/', import.meta.url).pathname;
export const REPO_MODELS = new URL('../../../../models/', import.meta.url).pathname;

/** The fixture photo crop (binary PPM) as float32 NCHW in 0..1, optionally a sub-rectangle. */
export function loadPhotoCrop(crop?: { x: number; y: number; width: number; height: number }): ReferenceTensor {
  const bytes = readFileSync(join(FIXTURES, 'astronaut-eye-24x24.ppm'));
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(bytes.subarray(0, 32).toString('latin1'));
  if (header === null) throw new Error('fixture is not a binary PPM');
  const [width, height] = [Number(header[1]), Number(header[2])];
  const pixels = bytes.subarray(header[0].length);
  const { x, y, width: w, height: h } = crop ?? { x: 0, y: 0, width, height };
  const data = new Float32Array(3 * w * h);
  for (let c = 0; c < 3; c++) {
    for (let row = 0; row < h; row++) {
      for (let col = 0; col < w; col++) data[(c * h + row) * w + col] = pixels[((y + row) * width + x + col) * 3 + c]! / 255;
    }
  }
  return { data, dims: [1, 3, h, w] };
}

export function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= max)) max = d; // NaN counts as a failure, not as 0
  }
  return max;
}

export async function runOnnx(modelPath: string, input: TensorData): Promise<TensorData> {
  const session = await ModelSession.open(modelPath, { provider: 'cpu' });
  try {
    const outputs = await session.run({ input });
    const output = outputs.output;
    if (output === undefined) throw new Error(`${modelPath} has no "output"`);
    return output;
  } finally {
    await session.dispose();
  }
}

export interface ReferenceComparison {
  conversion: NcnnConversion;
  reference: ReferenceTensor;
  onnx: TensorData;
  maxAbsDiff: number;
}

/**
 * Converts a synthetic ncnn model, runs the ONNX file through ONNX Runtime (CPU) and the same
 * ncnn layers through the TypeScript reference, on each input.
 */
export async function compareWithReference(model: SyntheticModel, inputs: ReferenceTensor[], name = 'synthetic'): Promise<ReferenceComparison[]> {
  const dir = mkdtempSync(join(tmpdir(), 'heirloom-ncnn-'));
  try {
    const paramFile = join(dir, `${name}.param`);
    const binFile = join(dir, `${name}.bin`);
    const conversion = convertNcnnToOnnx({ paramText: model.paramText, bin: model.bin, paramFile, binFile });
    const onnxPath = join(dir, `${name}.onnx`);
    writeFileSync(onnxPath, conversion.onnx);
    const graph = parseNcnnParam(model.paramText, paramFile);
    const weights = readNcnnWeights(graph, model.bin, { paramFile, binFile });
    const results: ReferenceComparison[] = [];
    for (const input of inputs) {
      const reference = runNcnnReference(graph, weights, input, paramFile);
      const onnx = await runOnnx(onnxPath, input);
      const sameDims = onnx.dims.join() === reference.dims.join();
      results.push({ conversion, reference, onnx, maxAbsDiff: sameDims ? maxAbsDifference(reference.data, onnx.data) : Number.POSITIVE_INFINITY });
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
