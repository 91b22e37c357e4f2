import sharp from 'sharp';

/**
 * High-quality resize (Lanczos-3) of interleaved 16-bit samples. 16-bit keeps the model's
 * float output precise to 1/65535 while letting libvips resample it natively.
 */
export async function resizeSamples16(
  data: Uint16Array,
  width: number,
  height: number,
  channels: 1 | 3,
  targetWidth: number,
  targetHeight: number,
): Promise<Uint16Array> {
  const out = await sharp(data, { raw: { width, height, channels } })
    .resize(targetWidth, targetHeight, { kernel: 'lanczos3', fit: 'fill' })
    .toColourspace(channels === 1 ? 'grey16' : 'rgb16')
    .raw({ depth: 'ushort' })
    .toBuffer();
  return new Uint16Array(out.buffer, out.byteOffset, out.length / 2);
}
