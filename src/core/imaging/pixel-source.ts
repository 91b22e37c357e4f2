/** Pixels to feed the model: interleaved 8- or 16-bit samples of the colour channels. */
export interface PixelSource {
  width: number;
  height: number;
  /** Samples per pixel in `data` (colour channels come first). */
  stride: number;
  data: Uint8Array | Uint16Array;
  /** Largest sample value (255 or 65535), to map samples to 0..1. */
  maxValue: number;
}
