import { HeirloomError } from '../../../shared/errors.js';
import { describeLayer } from './ncnn-graph.js';
import type { NcnnGraph, NcnnLayer } from './ncnn-graph.js';
import { NcnnLayerParams } from './ncnn-layer-params.js';
import type { NcnnLayerWeights, NcnnWeights } from './read-ncnn-weights.js';

/** A float32 NCHW tensor, as ModelSession takes and returns them. */
export interface ReferenceTensor {
  data: Float32Array;
  dims: readonly number[];
}

/** One image of one blob: ncnn's Mat with dims 3 (channels, height, width). */
interface Plane {
  c: number;
  h: number;
  w: number;
  data: Float32Array;
}

/**
 * Runs an NCNN network straight from its parsed layers and weights, in slow plain TypeScript
 * that follows ncnn's own layer code (zero/constant padding, ncnn's Interp coefficients and
 * edge handling, PixelShuffle channel order...). It shares no code with the ONNX writer beyond
 * the .param parser and the .bin reader, so agreement between the two is evidence that the
 * conversion is right. Sums are kept in float64; expect ~1e-6 differences from ncnn or ORT.
 */
export function runNcnnReference(graph: NcnnGraph, weights: NcnnWeights, input: ReferenceTensor, paramFile = 'the model'): ReferenceTensor {
  const [batch, channels, height, width] = input.dims;
  if (input.dims.length !== 4 || batch === undefined || channels === undefined || height === undefined || width === undefined) {
    throw new HeirloomError('INVALID_PAYLOAD', 'The reference takes one NCHW float32 tensor.');
  }
  const consumed = new Set(graph.layers.flatMap((l) => l.bottoms));
  const outputs = graph.layers.filter((l) => l.type !== 'Split').flatMap((l) => l.tops.filter((t) => !consumed.has(t)));
  if (outputs.length !== 1) throw new HeirloomError('MODEL_CONVERSION_FAILED', `${paramFile} has ${outputs.length} outputs; the reference runs single-output networks.`);
  const outputBlob = outputs[0]!;

  const results: Plane[] = [];
  const imageSize = channels * height * width;
  for (let n = 0; n < batch; n++) {
    const image: Plane = { c: channels, h: height, w: width, data: input.data.slice(n * imageSize, (n + 1) * imageSize) };
    const blobs = new Map<string, Plane>();
    for (const layer of graph.layers) {
      const params = new NcnnLayerParams(layer, paramFile);
      const bottoms = layer.bottoms.map((b) => blobs.get(b)!);
      const tops = forwardLayer(layer, params, bottoms, weights.get(layer.name) ?? {}, image, paramFile);
      layer.tops.forEach((top, i) => blobs.set(top, tops[i] ?? tops[0]!));
    }
    results.push(blobs.get(outputBlob)!);
  }
  const first = results[0]!;
  const data = new Float32Array(batch * first.data.length);
  results.forEach((plane, n) => data.set(plane.data, n * first.data.length));
  return { data, dims: [batch, first.c, first.h, first.w] };
}

function forwardLayer(layer: NcnnLayer, p: NcnnLayerParams, bottoms: Plane[], weights: NcnnLayerWeights, image: Plane, paramFile: string): Plane[] {
  const a = bottoms[0]!;
  switch (layer.type) {
    case 'Input':
      return [image];
    case 'Split':
      return [a];
    case 'Convolution':
      return [convolution(a, p, weights)];
    case 'PReLU': {
      const slopes = weights.slopes!;
      return [map(a, (v, c) => (v > 0 ? v : v * (slopes.length > 1 ? slopes[c]! : slopes[0]!)))];
    }
    case 'ReLU': {
      const slope = p.float(0, 0);
      return [map(a, (v) => (v < 0 ? v * slope : v))];
    }
    case 'Concat': {
      const data = new Float32Array(bottoms.reduce((s, b) => s + b.data.length, 0));
      let offset = 0;
      for (const b of bottoms) {
        data.set(b.data, offset);
        offset += b.data.length;
      }
      return [{ c: bottoms.reduce((s, b) => s + b.c, 0), h: a.h, w: a.w, data }];
    }
    case 'Eltwise':
      return [eltwise(bottoms, p.int(0, 0), p.floats(1))];
    case 'BinaryOp':
      return [binaryOp(bottoms, p.int(0, 0), p.int(1, 0) !== 0, p.float(2, 0))];
    case 'Interp':
      return [interp(a, p)];
    case 'PixelShuffle':
      return [pixelShuffle(a, p.int(0, 1), p.int(1, 0))];
    default:
      throw new HeirloomError('MODEL_CONVERSION_FAILED', `The reference does not implement layer ${describeLayer(layer)} of ${paramFile}.`, { file: paramFile });
  }
}

function convolution(input: Plane, p: NcnnLayerParams, weights: NcnnLayerWeights): Plane {
  const numOutput = p.int(0, 0);
  const kw = p.int(1, 0);
  const kh = p.int(11, kw);
  const dw = p.int(2, 1);
  const dh = p.int(12, dw);
  const sw = p.int(3, 1);
  const sh = p.int(13, sw);
  let padLeft = p.int(4, 0);
  let padRight = p.int(15, padLeft);
  let padTop = p.int(14, padLeft);
  let padBottom = p.int(16, padTop);
  const padValue = p.float(18, 0);
  const extentW = dw * (kw - 1) + 1;
  const extentH = dh * (kh - 1) + 1;
  if (padLeft === -233 || padLeft === -234) {
    // ncnn's "same" padding; -233 puts the odd pixel after, -234 before.
    const wpad = Math.max(0, extentW + Math.floor((input.w - 1) / sw) * sw - input.w);
    const hpad = Math.max(0, extentH + Math.floor((input.h - 1) / sh) * sh - input.h);
    const upper = padLeft === -233;
    padLeft = upper ? Math.floor(wpad / 2) : wpad - Math.floor(wpad / 2);
    padRight = wpad - padLeft;
    padTop = upper ? Math.floor(hpad / 2) : hpad - Math.floor(hpad / 2);
    padBottom = hpad - padTop;
  }
  const wp = input.w + padLeft + padRight;
  const hp = input.h + padTop + padBottom;
  const padded = new Float32Array(input.c * hp * wp).fill(padValue);
  for (let c = 0; c < input.c; c++) {
    for (let y = 0; y < input.h; y++) {
      const from = (c * input.h + y) * input.w;
      padded.set(input.data.subarray(from, from + input.w), (c * hp + y + padTop) * wp + padLeft);
    }
  }
  const outW = Math.floor((wp - extentW) / sw) + 1;
  const outH = Math.floor((hp - extentH) / sh) + 1;
  const kernel = weights.weight!.values;
  const bias = weights.bias;
  const activation = activationFunction(p.int(9, 0), p.floats(10));
  const out = new Float32Array(numOutput * outH * outW);
  // Plain loops, arranged only so the reference stays usable on real networks: four output
  // channels at a time share each input read (accumulators interleaved as [pixel][4]), and
  // with stride 1 each kernel tap is one flat loop over rows as wide as the padded input
  // (the columns past outW are never read back).
  const block = 4;
  const flat = sw === 1 && sh === 1;
  const accWidth = flat ? wp : outW;
  const acc = new Float64Array(outH * accWidth * block);
  const perOutput = input.c * kh * kw;
  const weightOf = (oc: number, tapInKernel: number): number => (oc < numOutput ? kernel[oc * perOutput + tapInKernel]! : 0);
  for (let oc0 = 0; oc0 < numOutput; oc0 += block) {
    for (let k = 0; k < block; k++) {
      const initial = oc0 + k < numOutput && bias !== undefined ? bias[oc0 + k]! : 0;
      for (let i = k; i < acc.length; i += block) acc[i] = initial;
    }
    for (let ic = 0; ic < input.c; ic++) {
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const tapInKernel = (ic * kh + ky) * kw + kx;
          const w0 = weightOf(oc0, tapInKernel);
          const w1 = weightOf(oc0 + 1, tapInKernel);
          const w2 = weightOf(oc0 + 2, tapInKernel);
          const w3 = weightOf(oc0 + 3, tapInKernel);
          const tap = (ic * hp + ky * dh) * wp + kx * dw;
          const rows = flat ? 1 : outH;
          const count = flat ? (outH - 1) * accWidth + outW : outW;
          for (let oy = 0; oy < rows; oy++) {
            const from = tap + oy * sh * wp;
            for (let i = 0, j = oy * accWidth * block; i < count; i++, j += block) {
              const v = padded[from + i * sw]!;
              acc[j]! += w0 * v;
              acc[j + 1]! += w1 * v;
              acc[j + 2]! += w2 * v;
              acc[j + 3]! += w3 * v;
            }
          }
        }
      }
    }
    for (let k = 0; k < block && oc0 + k < numOutput; k++) {
      for (let oy = 0; oy < outH; oy++) {
        const to = ((oc0 + k) * outH + oy) * outW;
        for (let ox = 0; ox < outW; ox++) out[to + ox] = activation(acc[(oy * accWidth + ox) * block + k]!);
      }
    }
  }
  return { c: numOutput, h: outH, w: outW, data: out };
}

/** ncnn's fused activations (fused_activation.h). */
function activationFunction(type: number, args: number[]): (v: number) => number {
  switch (type) {
    case 0:
      return (v) => v;
    case 1:
      return (v) => Math.max(v, 0);
    case 2:
      return (v) => (v > 0 ? v : v * args[0]!);
    case 3:
      return (v) => Math.min(Math.max(v, args[0]!), args[1]!);
    case 4:
      return (v) => 1 / (1 + Math.exp(-Math.min(Math.max(v, -88.3762626647949), 88.3762626647949)));
    case 5:
      return (v) => v * Math.tanh(Math.log(Math.exp(v) + 1));
    case 6: {
      const [alpha, beta] = [args[0]!, args[1]!];
      const lower = -beta / alpha;
      const upper = 1 / alpha + lower;
      return (v) => (v < lower ? 0 : v > upper ? v : v * (v * alpha + beta));
    }
    default:
      throw new HeirloomError('MODEL_CONVERSION_FAILED', `The reference does not implement activation type ${type}.`);
  }
}

function eltwise(inputs: Plane[], opType: number, coeffs: number[]): Plane {
  const first = inputs[0]!;
  const out = new Float32Array(first.data.length);
  for (let i = 0; i < out.length; i++) {
    let v = opType === 1 && coeffs.length > 0 ? first.data[i]! * coeffs[0]! : first.data[i]!;
    for (let k = 1; k < inputs.length; k++) {
      const x = inputs[k]!.data[i]!;
      if (opType === 0) v *= x;
      else if (opType === 1) v += coeffs.length > 0 ? x * coeffs[k]! : x;
      else v = Math.max(v, x);
    }
    out[i] = v;
  }
  return { ...first, data: out };
}

function binaryOp(inputs: Plane[], opType: number, withScalar: boolean, scalar: number): Plane {
  const a = inputs[0]!;
  const b = withScalar ? undefined : inputs[1]!;
  if (b !== undefined && b.data.length !== a.data.length) {
    throw new HeirloomError('MODEL_CONVERSION_FAILED', 'The reference does not broadcast BinaryOp inputs of different shapes.');
  }
  const ops: Record<number, (x: number, y: number) => number> = {
    0: (x, y) => x + y,
    1: (x, y) => x - y,
    2: (x, y) => x * y,
    3: (x, y) => x / y,
    4: (x, y) => Math.max(x, y),
    5: (x, y) => Math.min(x, y),
    6: (x, y) => Math.pow(x, y),
    7: (x, y) => y - x,
    8: (x, y) => y / x,
    9: (x, y) => Math.pow(y, x),
  };
  const fn = ops[opType];
  if (fn === undefined) throw new HeirloomError('MODEL_CONVERSION_FAILED', `The reference does not implement BinaryOp ${opType}.`);
  const out = new Float32Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = fn(a.data[i]!, b === undefined ? scalar : b.data[i]!);
  return { ...a, data: out };
}

function interp(input: Plane, p: NcnnLayerParams): Plane {
  const resizeType = p.int(0, 0);
  const heightScale = p.float(1, 1);
  const widthScale = p.float(2, 1);
  const outputHeight = p.int(3, 0);
  const outputWidth = p.int(4, 0);
  const alignCorner = p.int(6, 0) !== 0;
  const { c, h, w } = input;
  let outH = outputHeight;
  let outW = outputWidth;
  if (outW === 0 || outH === 0) {
    outH = Math.trunc(Math.fround(h * heightScale));
    outW = Math.trunc(Math.fround(w * widthScale));
  }
  if (outH === h && outW === w) return input;
  const out = new Float32Array(c * outH * outW);
  if (resizeType === 1) {
    const hs = Math.fround(outputHeight ? Math.fround(h / outH) : Math.fround(1 / heightScale));
    const ws = Math.fround(outputWidth ? Math.fround(w / outW) : Math.fround(1 / widthScale));
    for (let q = 0; q < c; q++) {
      for (let y = 0; y < outH; y++) {
        const inY = Math.min(Math.trunc(Math.fround(y * hs)), h - 1);
        for (let x = 0; x < outW; x++) {
          const inX = Math.min(Math.trunc(Math.fround(x * ws)), w - 1);
          out[(q * outH + y) * outW + x] = input.data[(q * h + inY) * w + inX]!;
        }
      }
    }
    return { c, h: outH, w: outW, data: out };
  }
  if (resizeType !== 2 && resizeType !== 3) throw new HeirloomError('MODEL_CONVERSION_FAILED', `The reference does not implement Interp type ${resizeType}.`);
  const coeffs = resizeType === 2 ? linearCoeffs : cubicCoeffs;
  const xs = coeffs(w, outW, alignCorner);
  const ys = coeffs(h, outH, alignCorner);
  // Taps start at sx for bilinear and sx - 1 for bicubic, as in ncnn.
  const firstTap = resizeType === 2 ? 0 : -1;
  const clampX = (i: number): number => Math.min(Math.max(i, 0), w - 1);
  const clampY = (i: number): number => Math.min(Math.max(i, 0), h - 1);
  for (let q = 0; q < c; q++) {
    for (let y = 0; y < outH; y++) {
      const ty = ys[y]!;
      for (let x = 0; x < outW; x++) {
        const tx = xs[x]!;
        let sum = 0;
        ty.weights.forEach((wy, j) => {
          if (wy === 0) return;
          const row = (q * h + clampY(ty.start + firstTap + j)) * w;
          let rowSum = 0;
          tx.weights.forEach((wx, i) => {
            if (wx !== 0) rowSum += wx * input.data[row + clampX(tx.start + firstTap + i)]!;
          });
          sum += wy * rowSum;
        });
        out[(q * outH + y) * outW + x] = sum;
      }
    }
  }
  return { c, h: outH, w: outW, data: out };
}

interface Taps {
  start: number;
  weights: number[];
}

/** ncnn interp.cpp linear_coeffs. */
function linearCoeffs(w: number, outW: number, alignCorner: boolean): Taps[] {
  const scale = alignCorner ? (w - 1) / (outW - 1) : w / outW;
  const taps: Taps[] = [];
  for (let dx = 0; dx < outW; dx++) {
    let fx = Math.fround(alignCorner ? dx * scale : (dx + 0.5) * scale - 0.5);
    let sx = Math.floor(fx);
    fx = Math.fround(fx - sx);
    if (sx < 0) {
      sx = 0;
      fx = 0;
    }
    if (sx >= w - 1) {
      sx = w - 2;
      fx = 1;
    }
    taps.push({ start: sx, weights: [1 - fx, fx] });
  }
  return taps;
}

/** ncnn interp.cpp cubic_coeffs, including its edge re-weighting. */
function cubicCoeffs(w: number, outW: number, alignCorner: boolean): Taps[] {
  const scale = alignCorner ? (w - 1) / (outW - 1) : w / outW;
  const taps: Taps[] = [];
  for (let dx = 0; dx < outW; dx++) {
    let fx = Math.fround(alignCorner ? dx * scale : (dx + 0.5) * scale - 0.5);
    let sx = Math.floor(fx);
    fx = Math.fround(fx - sx);
    const a = interpolateCubic(fx);
    if (sx <= -1) {
      sx = 1;
      a[0] = 1 - a[3]!;
      a[1] = a[3]!;
      a[2] = 0;
      a[3] = 0;
    }
    if (sx === 0) {
      sx = 1;
      a[0] = a[0]! + a[1]!;
      a[1] = a[2]!;
      a[2] = a[3]!;
      a[3] = 0;
    }
    if (sx === w - 2) {
      sx = w - 3;
      a[3] = a[2]! + a[3]!;
      a[2] = a[1]!;
      a[1] = a[0]!;
      a[0] = 0;
    }
    if (sx >= w - 1) {
      sx = w - 3;
      a[3] = 1 - a[0]!;
      a[2] = a[0]!;
      a[1] = 0;
      a[0] = 0;
    }
    taps.push({ start: sx, weights: a });
  }
  return taps;
}

function interpolateCubic(fx: number): number[] {
  const A = -0.75;
  const fx0 = fx + 1;
  const fx1 = fx;
  const fx2 = 1 - fx;
  const c0 = A * fx0 * fx0 * fx0 - 5 * A * fx0 * fx0 + 8 * A * fx0 - 4 * A;
  const c1 = (A + 2) * fx1 * fx1 * fx1 - (A + 3) * fx1 * fx1 + 1;
  const c2 = (A + 2) * fx2 * fx2 * fx2 - (A + 3) * fx2 * fx2 + 1;
  return [c0, c1, c2, 1 - c0 - c1 - c2];
}

function pixelShuffle(input: Plane, r: number, mode: number): Plane {
  const outC = input.c / (r * r);
  const outH = input.h * r;
  const outW = input.w * r;
  const out = new Float32Array(input.data.length);
  for (let p = 0; p < outC; p++) {
    for (let sh = 0; sh < r; sh++) {
      for (let sw = 0; sw < r; sw++) {
        const q = mode === 0 ? p * r * r + sh * r + sw : (sh * r + sw) * outC + p;
        for (let i = 0; i < input.h; i++) {
          for (let j = 0; j < input.w; j++) {
            out[(p * outH + i * r + sh) * outW + j * r + sw] = input.data[(q * input.h + i) * input.w + j]!;
          }
        }
      }
    }
  }
  return { c: outC, h: outH, w: outW, data: out };
}

function map(input: Plane, fn: (v: number, channel: number) => number): Plane {
  const out = new Float32Array(input.data.length);
  const size = input.h * input.w;
  for (let i = 0; i < out.length; i++) out[i] = fn(input.data[i]!, Math.floor(i / size));
  return { ...input, data: out };
}
