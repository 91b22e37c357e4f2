/**
 * Automatic restoration of faded colour and tone.
 *
 * Measured on a subsample (about 256x256 pixels) of the photo:
 * - per-channel black and white points: the 0.5 % and 99.5 % percentiles;
 * - after stretching each channel between them, the mean of each channel over the mid-tones,
 *   from which a per-channel gamma brings the three to their common mean (grey world on the
 *   mid-tones: removes a yellow, red or magenta cast);
 * - how faded the photo is: the contrast it lost (how far the black and white points sit from
 *   0 and 1) and how unequal those points are between channels (a cast). The correction is
 *   applied in proportion, so a photo with full range passes almost unchanged.
 * - A photo with no colour at all (a greyscale file, or grey saved as RGB) shows neither a cast
 *   nor a toned or yellowed paper: its low contrast alone is as often the scene's (fog, flat
 *   light, a grey wall, motion blur) as fading's, so it measures as not faded. A grey scan of a
 *   faded print is restored with a strength the user sets (FadingOptions.strength).
 * A photo whose colour, once the cast is removed, is near grey everywhere (a black-and-white
 * print, toned sepia or brown with age) comes out neutral: R = G = B.
 * Applied through one lookup table per channel (8- or 16-bit, alpha untouched).
 */
import { type RepairImage, checkImage, withData } from './image.js';
import { linearRgbToLab, linearToSrgb, srgbToLinear } from './colour.js';

/**
 * The version of how fading is measured and restored, recorded with each job: "Repair again"
 * rebuilds an earlier run's image only with the same method. 2: lifted blacks count only in a
 * photo with colour (2026-12-04).
 */
export const FADING_METHOD = 2;

export interface FadingOptions {
  /** Override the measured strength (0..1). */
  strength?: number;
  /** Turn near-grey photos fully grey (default true). */
  neutraliseMonochrome?: boolean;
  /**
   * Apply these measured parameters instead of measuring this image ("Repair again" keeps
   * the earlier run's, so a repair that moves a percentile cannot shift every pixel).
   */
  analysis?: FadingAnalysis;
}

export interface FadingAnalysis {
  /** How faded the photo measured, 0 (not at all) .. 1; after restoreFading, the strength applied. */
  fading: number;
  /** The colour of the photo's tones as it is (95th-percentile C*ab of block means of the subsample, 0 for one channel). */
  toneChroma95: number;
  /** Whether the photo shows any colour (a tone, a cast): without it lifted blacks are not taken for fading. */
  coloured: boolean;
  /** How faded its lifted blacks alone would measure it, 0..1 (counted in `fading` only when `coloured`). */
  liftedBlacks: number;
  /** Mean over channels of black point + (1 - white point), 0..2. */
  contrastLoss: number;
  /** Largest difference between channels' black points, 0..1. */
  castSpread: number;
  black: number[];
  white: number[];
  gamma: number[];
  /** 95th percentile of chroma (CIE C*ab) after removing the cast at full strength. */
  chroma95: number;
  monochrome: boolean;
}

export interface FadingResult<T extends RepairImage> {
  image: T;
  analysis: FadingAnalysis;
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Colour channels of about 65 000 pixels spread over the image on a regular grid (`columns` x `rows`), as 0..1. */
function subsample(image: RepairImage): { planes: Float32Array[]; columns: number; rows: number } {
  const { width, height, colorChannels } = image;
  const { data, stride, maxValue } = image.pixels;
  const step = Math.max(1, Math.floor(Math.sqrt((width * height) / 65536)));
  const columns = Math.ceil(width / step);
  const rows = Math.ceil(height / step);
  const planes = Array.from({ length: colorChannels }, () => new Float32Array(columns * rows));
  let k = 0;
  for (let y = 0; y < height; y += step) for (let x = 0; x < width; x += step) {
    const o = (y * width + x) * stride;
    for (let c = 0; c < colorChannels; c++) planes[c]![k] = data[o + c]! / maxValue;
    k++;
  }
  return { planes, columns, rows };
}

/** The p-quantile of values in 0..1, from a 4096-bin histogram. */
function histogramPercentile(values: Float32Array, p: number): number {
  const bins = 4096;
  const hist = new Uint32Array(bins);
  for (let i = 0; i < values.length; i++) hist[Math.min(bins - 1, Math.max(0, Math.floor(values[i]! * bins)))]!++;
  const want = p * values.length;
  let seen = 0;
  for (let k = 0; k < bins; k++) {
    seen += hist[k]!;
    if (seen >= want) return (k + 0.5) / bins;
  }
  return 1;
}

/** The full-strength correction of one channel: stretch, then gamma. */
function curve(v: number, black: number, white: number, gamma: number): number {
  return Math.pow(clamp01((v - black) / Math.max(1e-3, white - black)), gamma);
}

export function analyseFading(image: RepairImage): FadingAnalysis {
  checkImage(image);
  const { planes, columns, rows } = subsample(image);
  const black: number[] = [];
  const white: number[] = [];
  for (const p of planes) {
    black.push(histogramPercentile(p, 0.005));
    white.push(histogramPercentile(p, 0.995));
  }
  const n = planes[0]!.length;
  // Mid-tone means after stretching.
  const sums = planes.map(() => 0);
  let count = 0;
  const v = new Float64Array(planes.length);
  for (let i = 0; i < n; i++) {
    let luma = 0;
    for (let c = 0; c < planes.length; c++) {
      v[c] = clamp01((planes[c]![i]! - black[c]!) / Math.max(1e-3, white[c]! - black[c]!));
      luma += v[c]! / planes.length;
    }
    if (luma < 0.15 || luma > 0.85) continue;
    count++;
    for (let c = 0; c < planes.length; c++) sums[c]! += v[c]!;
  }
  const means = sums.map((s) => (count > 0 ? s / count : 0.5));
  const target = means.reduce((a, b) => a + b, 0) / means.length;
  const gamma = means.map((m) => (m > 0.02 && m < 0.98 && target > 0.02 && target < 0.98 ? Math.pow(Math.min(2, Math.max(0.5, Math.log(target) / Math.log(m))), BALANCE_WEIGHT) : 1));
  const contrastLoss = black.reduce((a, b, c) => a + b + 1 - white[c]!, 0) / planes.length;
  const castSpread = Math.max(...black) - Math.min(...black);

  let chroma95 = 0;
  if (planes.length === 3) {
    const chroma = new Float32Array(n);
    const [r, g, b] = planes as [Float32Array, Float32Array, Float32Array];
    // Sample -> linear light after the full-strength correction, through 1024-entry tables.
    const lut = [0, 1, 2].map((c) => Float32Array.from({ length: 1025 }, (_, k) => srgbToLinear(curve(k / 1024, black[c]!, white[c]!, gamma[c]!))));
    const [lr, lg, lb] = lut as [Float32Array, Float32Array, Float32Array];
    for (let i = 0; i < n; i++) {
      const [, a, bb] = linearRgbToLab(lr[Math.round(r[i]! * 1024)]!, lg[Math.round(g[i]! * 1024)]!, lb[Math.round(b[i]! * 1024)]!);
      chroma[i] = Math.hypot(a, bb) / 200;
    }
    chroma95 = histogramPercentile(chroma, 0.95) * 200;
  }
  // Lifted blacks, or blacks of unequal level, are what fading does and a dim or low-key
  // photo does not: a dark photo's white point may sit low, its black point does not. Lifted
  // blacks count only in a photo with some colour: see the module comment.
  const tone = planes.length === 3 ? toneChroma95(planes, columns, rows) : 0;
  const coloured = tone >= COLOURLESS_CHROMA;
  const meanBlack = black.reduce((a, b) => a + b, 0) / black.length;
  const liftedBlacks = clamp01((meanBlack - 0.08) / 0.15);
  const fading = clamp01(Math.max(coloured ? liftedBlacks : 0, (castSpread - 0.08) / 0.15));
  return { fading, liftedBlacks, toneChroma95: tone, coloured, contrastLoss, castSpread, black, white, gamma, chroma95, monochrome: planes.length === 3 && chroma95 < MONOCHROME_CHROMA };
}

/**
 * The 95th-percentile chroma (C*ab) of the photo as it is, over the means of blocks of 8x8
 * samples of the subsample grid: the colour of its tones, not of its noise (grain and sensor
 * noise differ per channel sample by sample and cancel in a block; a tone or a cast does not).
 */
function toneChroma95(planes: Float32Array[], columns: number, rows: number): number {
  const [r, g, b] = planes as [Float32Array, Float32Array, Float32Array];
  const block = 8;
  const across = Math.ceil(columns / block);
  const chroma = new Float32Array(across * Math.ceil(rows / block));
  for (let by = 0; by * block < rows; by++) for (let bx = 0; bx < across; bx++) {
    let sr = 0;
    let sg = 0;
    let sb = 0;
    const y1 = Math.min(rows, (by + 1) * block);
    const x1 = Math.min(columns, (bx + 1) * block);
    for (let y = by * block; y < y1; y++) for (let x = bx * block, k = y * columns + x; x < x1; x++, k++) {
      sr += r[k]!;
      sg += g[k]!;
      sb += b[k]!;
    }
    const scale = 1 / ((y1 - by * block) * (x1 - bx * block));
    const [, a, bb] = linearRgbToLab(srgbToLinear(sr * scale), srgbToLinear(sg * scale), srgbToLinear(sb * scale));
    chroma[by * across + bx] = Math.min(1, Math.hypot(a, bb) / 200);
  }
  return histogramPercentile(chroma, 0.95) * 200;
}

/**
 * Below this tone chroma (toneChroma95, C*ab) a photo has no colour to speak of: a grey photo
 * with noise of 4 levels per channel measures under 1; a toned or yellowed print, and every
 * faded colour photo, measure well above (the six real old prints of the bench: 13 to 35).
 */
const COLOURLESS_CHROMA = 2;

/**
 * How much of the grey-world gamma is applied. Most photos are not grey on average, so the
 * full gamma recolours them; on the faded bench set (3 photos x 4 fadings, see
 * docs/repair.md) the mean CIE76 error after restoration was 8.2 with none of it, 7.6 with a
 * quarter, 8.9 with half and 15 with all of it.
 */
const BALANCE_WEIGHT = 0.25;

/** Below this 95th-percentile chroma (C*ab) a photo counts as black and white (measured: sepia camera 4.8, faded sepia 9.0; hubble, the least colourful colour photo, 13.9-16.8). */
const MONOCHROME_CHROMA = 11;

/** Restores faded colour and tone; see the module comment. */
export function restoreFading<T extends RepairImage>(image: T, options: FadingOptions = {}): FadingResult<T> {
  const analysis = options.analysis ?? analyseFading(image);
  const strength = clamp01(options.strength ?? analysis.fading);
  const { data, stride, maxValue } = image.pixels;
  const cc = image.colorChannels;
  const grey = cc === 3 && analysis.monochrome && options.neutraliseMonochrome !== false;
  // Nothing to restore and no colour to take out (a grey scan saved as RGB): the photo as it is,
  // not a per-pixel pass that gives it back unchanged (1.6 s on 24 megapixels).
  if (strength === 0 && !(grey && analysis.coloured)) return { image, analysis: { ...analysis, fading: 0 } };
  const tables = analysis.black.map((black, c) => {
    const table = new Float32Array(maxValue + 1);
    for (let v = 0; v <= maxValue; v++) {
      const x = v / maxValue;
      table[v] = clamp01(x + strength * (curve(x, black, analysis.white[c]!, analysis.gamma[c]!) - x));
    }
    return table;
  });
  const out = data.slice();
  const n = image.width * image.height;
  if (grey) {
    // Same luminance, no colour: each channel's share of linear luminance, per sample value.
    const [wr, wg, wb] = [0.2126, 0.7152, 0.0722].map((k, c) => Float64Array.from(tables[c]!, (v) => k * srgbToLinear(v))) as [Float64Array, Float64Array, Float64Array];
    for (let i = 0; i < n; i++) {
      const o = i * stride;
      const v = Math.round(linearToSrgb(wr[data[o]!]! + wg[data[o + 1]!]! + wb[data[o + 2]!]!) * maxValue);
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
    }
  } else {
    const samples = tables.map((t) => {
      const table = maxValue > 255 ? new Uint16Array(t.length) : new Uint8Array(t.length);
      for (let v = 0; v < t.length; v++) table[v] = Math.round(t[v]! * maxValue);
      return table;
    });
    for (let c = 0; c < cc; c++) {
      const table = samples[c]!;
      for (let o = c; o < n * stride; o += stride) out[o] = table[data[o]!]!;
    }
  }
  return { image: withData(image, out), analysis: { ...analysis, fading: strength } };
}

export interface FadingParams {
  /** Share of the original contrast kept, toward the paper tone (1 = none lost; default 0.7). */
  contrast?: number;
  /** Tone the image fades toward, sRGB 0..1 (default an aged paper [0.93, 0.87, 0.72]). */
  paper?: [number, number, number];
  /** Per-channel multipliers, a cast (default yellow-red [1, 0.96, 0.82]). */
  cast?: [number, number, number];
  /** Per-channel exponents (default [0.9, 1, 1.15]). */
  gamma?: [number, number, number];
  /** Blacks lifted to this level (default 0.08). */
  blackLift?: number;
}

/** Makes a photo look faded (for tests and the bench): per-channel gamma, lifted blacks, contrast lost toward a paper tone, a cast. */
export function simulateFading<T extends RepairImage>(image: T, params: FadingParams = {}): T {
  checkImage(image);
  const contrast = params.contrast ?? 0.7;
  const paper = params.paper ?? [0.93, 0.87, 0.72];
  const cast = params.cast ?? [1, 0.96, 0.82];
  const gamma = params.gamma ?? [0.9, 1, 1.15];
  const lift = params.blackLift ?? 0.08;
  const { data, stride, maxValue } = image.pixels;
  const cc = image.colorChannels;
  const tables = [0, 1, 2].slice(0, cc).map((c) => {
    // A grey image fades with the green channel's parameters.
    const k = cc === 1 ? 1 : c;
    const table = new Float32Array(maxValue + 1);
    for (let v = 0; v <= maxValue; v++) {
      let x = Math.pow(v / maxValue, gamma[k]!);
      x = lift + (1 - lift) * x;
      x = contrast * x + (1 - contrast) * paper[k]!;
      table[v] = clamp01(x * cast[k]!);
    }
    return table;
  });
  const out = data.slice();
  const n = image.width * image.height;
  for (let i = 0; i < n; i++) for (let c = 0; c < cc; c++) out[i * stride + c] = Math.round(tables[c]![data[i * stride + c]!]! * maxValue);
  return withData(image, out);
}
