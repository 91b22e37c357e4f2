/**
 * Writes small NCNN models (.param text + .bin bytes) the way ncnn's own tools lay them out,
 * with deterministic pseudo-random weights, so the converter can be tested on every layer type
 * without shipping model files. Blobs follow ncnn's rule of one reader each: use split().
 */
import { seededRandom } from '../../../helpers/seeded-random.js';

export type WeightEncoding = 'float32' | 'float16' | 'lut8' | 'int8';

export interface ConvOptions {
  out: number;
  kernel?: number | [height: number, width: number];
  stride?: number | [height: number, width: number];
  dilation?: number;
  /** ncnn params 4 (left), 15 (right), 14 (top), 16 (bottom), or -233 / -234 for "same". */
  pad?: number | { left: number; right: number; top: number; bottom: number };
  padValue?: number;
  bias?: boolean;
  /** ncnn params 9 and 10. */
  activation?: { type: number; params?: number[] };
  encoding?: WeightEncoding;
}

export interface SyntheticModel {
  paramText: string;
  bin: Uint8Array;
}

export class NcnnModelBuilder {
  private readonly lines: string[] = [];
  private readonly chunks: Uint8Array[] = [];
  private readonly channels = new Map<string, number>();
  private blobCount = 0;
  private next: () => number;

  constructor(seed = 1) {
    this.next = seededRandom(seed);
  }

  input(options: { channels: number; declareChannels?: boolean; name?: string }): string {
    const blob = options.name ?? 'data';
    this.layer('Input', 'input', [], [blob], options.declareChannels === false ? '' : `2=${options.channels}`);
    this.channels.set(blob, options.channels);
    return blob;
  }

  conv(name: string, bottom: string, options: ConvOptions): string {
    const inChannels = this.channelsOf(bottom);
    const [kh, kw] = pair(options.kernel ?? 3);
    const [sh, sw] = pair(options.stride ?? 1);
    const weightCount = options.out * inChannels * kh * kw;
    const params = [`0=${options.out}`, `1=${kw}`];
    if (kh !== kw) params.push(`11=${kh}`);
    if (options.dilation !== undefined) params.push(`2=${options.dilation}`);
    if (sw !== 1 || sh !== 1) params.push(`3=${sw}`, ...(sh !== sw ? [`13=${sh}`] : []));
    const pad = options.pad ?? 0;
    if (typeof pad === 'number') params.push(`4=${pad}`);
    else params.push(`4=${pad.left}`, `15=${pad.right}`, `14=${pad.top}`, `16=${pad.bottom}`);
    if (options.padValue !== undefined) params.push(`18=${float(options.padValue)}`);
    params.push(`5=${options.bias === false ? 0 : 1}`, `6=${weightCount}`);
    if (options.activation !== undefined) {
      params.push(`9=${options.activation.type}`);
      const args = options.activation.params ?? [];
      if (args.length > 0) params.push(`-23310=${args.length},${args.map(float).join(',')}`);
    }
    const top = `${name}_out`;
    this.layer('Convolution', name, [bottom], [top], params.join(' '));
    const scale = Math.sqrt(3 / (inChannels * kh * kw));
    this.chunks.push(taggedWeights(Array.from({ length: weightCount }, () => (this.next() * 2 - 1) * scale), options.encoding ?? 'float16', this.next));
    if (options.bias !== false) this.chunks.push(float32Bytes(Array.from({ length: options.out }, () => (this.next() * 2 - 1) * 0.2)));
    this.channels.set(top, options.out);
    return top;
  }

  prelu(name: string, bottom: string, shared = false): string {
    const count = shared ? 1 : this.channelsOf(bottom);
    this.chunks.push(float32Bytes(Array.from({ length: count }, () => this.next() * 0.5 - 0.1)));
    return this.simple('PReLU', name, [bottom], `0=${count}`);
  }

  /** Any layer without weights; the output keeps the first input's channels unless told. */
  simple(type: string, name: string, bottoms: string[], params = '', channels?: number): string {
    const top = `${name}_out`;
    this.layer(type, name, bottoms, [top], params);
    this.channels.set(top, channels ?? this.channelsOf(bottoms[0]!));
    return top;
  }

  split(name: string, bottom: string, count: number): string[] {
    const tops = Array.from({ length: count }, (_, i) => `${name}_${i}`);
    this.layer('Split', name, [bottom], tops, '');
    for (const t of tops) this.channels.set(t, this.channelsOf(bottom));
    return tops;
  }

  /** Raw bytes appended to the .bin, for malformed-file tests. */
  appendBytes(bytes: Uint8Array): void {
    this.chunks.push(bytes);
  }

  build(): SyntheticModel {
    const paramText = ['7767517', `${this.lines.length} ${this.blobCount}`, ...this.lines, ''].join('\n');
    const bin = new Uint8Array(this.chunks.reduce((s, c) => s + c.length, 0));
    let offset = 0;
    for (const chunk of this.chunks) {
      bin.set(chunk, offset);
      offset += chunk.length;
    }
    return { paramText, bin };
  }

  private layer(type: string, name: string, bottoms: string[], tops: string[], params: string): void {
    this.blobCount += tops.length;
    this.lines.push([type.padEnd(16), name.padEnd(16), bottoms.length, tops.length, ...bottoms, ...tops, params].join(' ').trimEnd());
  }

  private channelsOf(blob: string): number {
    const c = this.channels.get(blob);
    if (c === undefined) throw new Error(`unknown blob ${blob}`);
    return c;
  }
}

/** How ncnn writes floats in a .param: 2.000000e-01. */
export function float(v: number): string {
  const [mantissa, exponent] = v.toExponential(6).split('e');
  const e = Number(exponent);
  return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

function taggedWeights(values: number[], encoding: WeightEncoding, next: () => number): Uint8Array {
  const tag = (t: number): Uint8Array => new Uint8Array(new Uint32Array([t]).buffer);
  if (encoding === 'float32') return concat(tag(0), float32Bytes(values));
  if (encoding === 'float16') {
    const halves = new Uint8Array(align4(values.length * 2));
    const view = new DataView(halves.buffer);
    values.forEach((v, i) => view.setUint16(i * 2, toFloat16Bits(v), true));
    return concat(tag(0x01306b47), halves);
  }
  if (encoding === 'int8') return concat(tag(0x000d4b38), new Uint8Array(align4(values.length)));
  // ncnn's 8-bit lookup-table quantisation: any other non-zero tag, 256 floats, one index per weight.
  const table = Array.from({ length: 256 }, (_, i) => (i / 255) * 2 - 1);
  const indices = new Uint8Array(align4(values.length));
  values.forEach((_, i) => (indices[i] = Math.floor(next() * 256)));
  return concat(tag(0x00000101), float32Bytes(table.map((t) => t * 0.3)), indices);
}

export function float32Bytes(values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

/** float32 to IEEE half, round to nearest even (normal and subnormal range). */
export function toFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent >= 0x1f) return sign | 0x7c00;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    const m = mantissa | 0x800000;
    const shift = 14 - exponent;
    const half = m >> shift;
    const rest = m & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    return sign | (half + (rest > midpoint || (rest === midpoint && half & 1) ? 1 : 0));
  }
  const half = (exponent << 10) | (mantissa >> 13);
  const rest = mantissa & 0x1fff;
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

