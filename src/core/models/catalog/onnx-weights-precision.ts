import { promises as fs } from 'node:fs';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const { FLOAT, FLOAT16 } = onnx.TensorProto.DataType;

/**
 * Whether an ONNX file stores its weights mostly as float16 or float32 (the manifest's
 * weightsPrecision), counted over the graph's initializers. Files with external weight data
 * report what the graph itself holds.
 */
export async function detectWeightsPrecision(path: string): Promise<'fp32' | 'fp16'> {
  const model = onnx.ModelProto.decode(await fs.readFile(path));
  let half = 0;
  let single = 0;
  for (const tensor of model.graph?.initializer ?? []) {
    const elements = (tensor.dims ?? []).reduce<number>((n, d) => n * Number(d), 1);
    if (tensor.dataType === FLOAT16) half += elements;
    else if (tensor.dataType === FLOAT) single += elements;
  }
  return half > single ? 'fp16' : 'fp32';
}
