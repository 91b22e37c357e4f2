import type { PixelSource } from '../imaging/pixel-source.js';

/** Rec. 601 luminance, 0..1, of the box (inclusive corners) of any 8/16-bit grey or colour source. */
export function fillLuminance(source: PixelSource, box: { x0: number; y0: number; x1: number; y1: number }, target: Float32Array): void {
  const { data, stride, maxValue, width } = source;
  const scale = 1 / maxValue;
  const grey = stride < 3;
  let p = 0;
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0, s = (y * width + x) * stride; x <= box.x1; x++, s += stride, p++) {
      target[p] = grey ? data[s]! * scale : (0.299 * data[s]! + 0.587 * data[s + 1]! + 0.114 * data[s + 2]!) * scale;
    }
  }
}
