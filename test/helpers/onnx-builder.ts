/**
 * The one builder of generated ONNX models for tests and the bench (stand-ins for models
 * that cannot be downloaded here, and single-op graphs): value infos with named (dynamic)
 * or fixed dimensions, and a model from its graph.
 */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export const { FLOAT, DOUBLE } = onnx.TensorProto.DataType;

/** A tensor's value info: a string dimension is dynamic (named), a number fixed. */
export function tensorValue(name: string, dims: ReadonlyArray<number | string>, elemType: number = FLOAT): onnxProto.onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

/** An opset-17 model of one graph, encoded. */
export function encodeModel(graph: GraphProto, producerName = 'heirloom-test-stand-in'): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName, graph })).finish();
}

/** A string attribute (e.g. Resize's mode). */
export function stringAttribute(name: string, value: string): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(value) };
}

/** The same model made about `bytes` long by a doc string (a large download for progress tests; the graph is unchanged). */
export function padModel(model: Uint8Array, bytes: number): Uint8Array {
  const decoded = onnx.ModelProto.decode(model);
  decoded.docString = 'heirloom test padding '.repeat(Math.max(0, Math.ceil((bytes - model.length) / 22)));
  return onnx.ModelProto.encode(decoded).finish();
}
