/**
 * IEEE 754 half precision to float32, exactly (every half is representable as a float32).
 * Node 20 has no Float16Array, and ncnn stores most weights as halves. Works on the bit
 * patterns, which keeps a 16-million-weight model to a few tens of milliseconds.
 */
export function float16ToFloat32(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < halves.length; i++) {
    const h = halves[i]!;
    const sign = (h & 0x8000) << 16;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0x1f) {
      bits[i] = sign | 0x7f800000 | (fraction << 13); // infinity or NaN
    } else if (exponent !== 0) {
      bits[i] = sign | ((exponent + 112) << 23) | (fraction << 13); // rebias 15 -> 127
    } else {
      out[i] = (sign !== 0 ? -fraction : fraction) * 2 ** -24; // zero or subnormal
    }
  }
  return out;
}
