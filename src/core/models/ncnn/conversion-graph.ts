/**
 * The network after the NCNN layers have been interpreted and checked, before it is written
 * as ONNX: one op per NCNN layer (Split disappears into aliases), tensors named as they will be
 * in the ONNX file. The cost analysis reads this too, so both see the same graph.
 */
import type { NcnnWeightBlob } from './read-ncnn-weights.js';

/** [height, width]: the order ONNX uses for kernel shapes, strides and scales. */
export type HeightWidth = readonly [number, number];

/** Spatial size of a tensor relative to the model input, per axis; null after a fixed-size resize. */
export interface RelativeScale {
  y: number;
  x: number;
}

export interface GraphValue {
  channels: number;
  scale: RelativeScale | null;
}

export type Activation =
  | { kind: 'none' }
  | { kind: 'relu' }
  | { kind: 'leaky-relu'; slope: number }
  | { kind: 'clip'; min: number; max: number }
  | { kind: 'sigmoid' }
  | { kind: 'mish' }
  | { kind: 'hard-swish'; alpha: number; beta: number };

export type ConvPadding =
  | { kind: 'explicit'; top: number; left: number; bottom: number; right: number }
  | { kind: 'same-upper' }
  | { kind: 'same-lower' };

interface OpBase {
  /** The NCNN layer this op came from: node names, initializer names and messages use it. */
  layer: { type: string; name: string };
  inputs: string[];
  output: string;
}

export interface ConvOp extends OpBase {
  op: 'conv';
  inChannels: number;
  outChannels: number;
  kernel: HeightWidth;
  stride: HeightWidth;
  dilation: HeightWidth;
  padding: ConvPadding;
  padValue: number;
  weight: NcnnWeightBlob;
  bias: Float32Array | null;
  activation: Activation;
}

export interface PreluOp extends OpBase {
  op: 'prelu';
  /** One slope per channel, or a single slope shared by all channels. */
  slopes: Float32Array;
}

export interface ActivationOp extends OpBase {
  op: 'activation';
  activation: Activation;
}

export interface EltwiseOp extends OpBase {
  op: 'eltwise';
  kind: 'prod' | 'sum' | 'max';
  /** Per-input factors for a sum; null for a plain sum. */
  coeffs: number[] | null;
}

export type BinaryKind = 'Add' | 'Sub' | 'Mul' | 'Div' | 'Max' | 'Min' | 'Pow';

export interface BinaryOp extends OpBase {
  op: 'binary';
  kind: BinaryKind;
  /** The constant second operand when NCNN's with_scalar is set. */
  scalar: number | null;
  /** NCNN's reversed ops (RSUB, RDIV, RPOW): compute second op first. */
  swapped: boolean;
}

export interface ConcatOp extends OpBase {
  op: 'concat';
}

export interface ResizeOp extends OpBase {
  op: 'resize';
  mode: 'nearest' | 'linear' | 'cubic';
  alignCorners: boolean;
  /** Exactly one of scales and size is set. */
  scales: HeightWidth | null;
  size: HeightWidth | null;
}

export interface DepthToSpaceOp extends OpBase {
  op: 'depth-to-space';
  blockSize: number;
  mode: 'CRD' | 'DCR';
}

export interface IdentityOp extends OpBase {
  op: 'identity';
}

export type GraphOp = ConvOp | PreluOp | ActivationOp | EltwiseOp | BinaryOp | ConcatOp | ResizeOp | DepthToSpaceOp | IdentityOp;

export interface ConversionGraph {
  inputName: string;
  outputName: string;
  ops: GraphOp[];
  /** Every tensor the ops read or write, by ONNX name. */
  values: ReadonlyMap<string, GraphValue>;
}
