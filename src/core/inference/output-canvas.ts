import { resizeSamples16 } from '../imaging/resample.js';
import type { PixelSource } from '../imaging/pixel-source.js';
import { planTiles, type Tile, type TilePlan } from './tiler.js';

/**
 * The restored photo at the requested scale, filled tile by tile. Each tile's model output
 * is clamped to 0..1 before anything else (so negative outputs can never wrap around when
 * quantised), resized to the requested scale when it differs from the model's, and only the
 * tile's owned region is written.
 */
export class OutputCanvas {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint16Array;
  private readonly maxValue: number;

  constructor(
    plan: TilePlan,
    /** Requested output scale (1..modelScale). */
    readonly scale: number,
    private readonly modelScale: number,
    readonly channels: 1 | 3,
    readonly bitDepth: 8 | 16,
    /** Samples to fill in place instead of a new, empty buffer (see `startingAs`). */
    samples?: Uint8Array | Uint16Array,
  ) {
    this.width = plan.imageWidth * scale;
    this.height = plan.imageHeight * scale;
    const length = this.width * this.height * channels;
    if (samples && (samples.length !== length || (bitDepth === 16) !== samples instanceof Uint16Array)) {
      throw new Error(`the samples given (${samples.length}) do not fit a ${this.width}x${this.height}x${channels} ${bitDepth}-bit canvas`);
    }
    this.data = samples ?? (bitDepth === 16 ? new Uint16Array(length) : new Uint8Array(length));
    this.maxValue = bitDepth === 16 ? 65535 : 255;
  }

  /**
   * A canvas that starts as `source`'s colour samples (alpha is made again from the photo, as
   * in any restore). `inPlace`: the source's own samples become the canvas when they are
   * colour only, not a copy (Repair again's earlier output: at 4x a 24-megapixel photo's
   * output is over a gigabyte); only for a source nothing else reads afterwards.
   */
  static startingAs(plan: TilePlan, scale: number, modelScale: number, source: PixelSource, channels: 1 | 3, bitDepth: 8 | 16, { inPlace }: { inPlace: boolean }): OutputCanvas {
    const { data, stride } = source;
    const canvas = new OutputCanvas(plan, scale, modelScale, channels, bitDepth, inPlace && stride === channels ? data : undefined);
    if (source.width !== canvas.width || source.height !== canvas.height) throw new Error(`a ${source.width}x${source.height} image cannot start a ${canvas.width}x${canvas.height} canvas`);
    if (canvas.data === data) return canvas;
    for (let p = 0, s = 0, d = 0; p < source.width * source.height; p++, s += stride) {
      for (let c = 0; c < channels; c++) canvas.data[d++] = data[s + c]!;
    }
    return canvas;
  }

  /** The photo itself as the canvas, when no network changes its size (`--model none`). */
  static fromImage(source: PixelSource, channels: 1 | 3, bitDepth: 8 | 16): OutputCanvas {
    return OutputCanvas.startingAs(planTiles(source.width, source.height, 0, 0), 1, 1, source, channels, bitDepth, { inPlace: false });
  }

  /**
   * Writes one tile from planar float32 RGB model output (one batch item).
   * `output` holds 3 planes of the tile's input region at the model's scale.
   */
  async writeTile(tile: Tile, output: Float32Array, offset: number): Promise<void> {
    const { scale, modelScale } = this;
    const srcW = tile.input.width * modelScale;
    const srcH = tile.input.height * modelScale;
    if (scale === modelScale) {
      this.writeDirect(tile, output, offset, srcW, srcH);
      return;
    }
    let samples = toSamples16(output, offset, srcW, srcH);
    let w = srcW;
    let h = srcH;
    if (scale !== modelScale) {
      // Resize the whole input region, so the filter sees real context at the owned edges.
      w = tile.input.width * scale;
      h = tile.input.height * scale;
      samples = await resizeSamples16(samples, srcW, srcH, 3, w, h);
    }
    const x0 = (tile.owned.x - tile.input.x) * scale;
    const y0 = (tile.owned.y - tile.input.y) * scale;
    const ow = tile.owned.width * scale;
    const oh = tile.owned.height * scale;
    const dx = tile.owned.x * scale;
    const dy = tile.owned.y * scale;
    const toOut = this.maxValue / 65535;
    for (let y = 0; y < oh; y++) {
      let s = ((y0 + y) * w + x0) * 3;
      let d = ((dy + y) * this.width + dx) * this.channels;
      for (let x = 0; x < ow; x++, s += 3, d += this.channels) {
        if (this.channels === 3) {
          this.data[d] = Math.round(samples[s]! * toOut);
          this.data[d + 1] = Math.round(samples[s + 1]! * toOut);
          this.data[d + 2] = Math.round(samples[s + 2]! * toOut);
        } else {
          // Grayscale photos stay grayscale: Rec. 601 luma of the model's RGB.
          this.data[d] = Math.round((0.299 * samples[s]! + 0.587 * samples[s + 1]! + 0.114 * samples[s + 2]!) * toOut);
        }
      }
    }
  }

  /** At the model's own scale: straight from the planar float output into the canvas, in one pass. */
  private writeDirect(tile: Tile, output: Float32Array, offset: number, srcW: number, srcH: number): void {
    const { scale } = this;
    const plane = srcW * srcH;
    const x0 = (tile.owned.x - tile.input.x) * scale;
    const y0 = (tile.owned.y - tile.input.y) * scale;
    const ow = tile.owned.width * scale;
    const oh = tile.owned.height * scale;
    const dx = tile.owned.x * scale;
    const dy = tile.owned.y * scale;
    if (this.channels === 3 && this.data instanceof Uint8Array) {
      // The common case, and the hot loop of the host's share of the work: a clamped view
      // clamps (NaN and negatives to 0, never wrapping around) and rounds in the store itself.
      const rgb = new Uint8ClampedArray(this.data.buffer, this.data.byteOffset, this.data.length);
      for (let y = 0; y < oh; y++) {
        let s = offset + (y0 + y) * srcW + x0;
        let d = ((dy + y) * this.width + dx) * 3;
        for (let x = 0; x < ow; x++, s++, d += 3) {
          rgb[d] = output[s]! * 255;
          rgb[d + 1] = output[s + plane]! * 255;
          rgb[d + 2] = output[s + 2 * plane]! * 255;
        }
      }
      return;
    }
    const max = this.maxValue;
    const data = this.data;
    for (let y = 0; y < oh; y++) {
      let s = offset + (y0 + y) * srcW + x0;
      let d = ((dy + y) * this.width + dx) * this.channels;
      for (let x = 0; x < ow; x++, s++, d += this.channels) {
        // Clamp before quantising: NaN and negatives become 0, never wrap around.
        const r = clamp01(output[s]!);
        const g = clamp01(output[s + plane]!);
        const b = clamp01(output[s + 2 * plane]!);
        if (this.channels === 3) {
          data[d] = Math.round(r * max);
          data[d + 1] = Math.round(g * max);
          data[d + 2] = Math.round(b * max);
        } else {
          data[d] = Math.round((0.299 * r + 0.587 * g + 0.114 * b) * max);
        }
      }
    }
  }
}

function clamp01(v: number): number {
  return v > 0 ? (v < 1 ? v : 1) : 0;
}

/** Planar float RGB -> interleaved 16-bit, clamping to 0..1 first. */
export function toSamples16(planar: Float32Array, offset: number, width: number, height: number): Uint16Array {
  const plane = width * height;
  const out = new Uint16Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    const base = offset + c * plane;
    for (let i = 0; i < plane; i++) {
      const v = planar[base + i]!;
      // NaN and negatives clamp to 0, overshoot to 1: never wrap around.
      out[i * 3 + c] = v > 0 ? (v < 1 ? Math.round(v * 65535) : 65535) : 0;
    }
  }
  return out;
}
