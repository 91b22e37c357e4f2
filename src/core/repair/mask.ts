/** Binary masks (Uint8Array width*height, nonzero = damaged): growing, components, thickness. */

/** The mask grown by `radius` px (a disc: radius 1 is the 3x3 square, 2 the 5x5 without corners). */
export function dilateMask(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  if (mask.length !== width * height) throw new Error(`mask has ${mask.length} entries for ${width}x${height}`);
  const r = Math.max(0, Math.floor(radius));
  const out = new Uint8Array(mask.length);
  const offsets: Array<[number, number]> = [];
  for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= r * r + r) offsets.push([dx, dy]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      for (const [dx, dy] of offsets) {
        const xx = x + dx;
        const yy = y + dy;
        if (xx >= 0 && yy >= 0 && xx < width && yy < height) out[yy * width + xx] = 1;
      }
    }
  }
  return out;
}

/**
 * Chamfer (3-4) distance of every masked pixel to the nearest unmasked one, in pixels
 * (0 outside the mask). The image border does not count as unmasked: a torn corner is as
 * thick as its reach into the photo.
 */
export function insideDistance(mask: Uint8Array, width: number, height: number): Float32Array {
  const big = 1e9;
  const d = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) d[i] = mask[i] ? big : 0;
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? big : d[y * width + x]!);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!d[i]) continue;
      d[i] = Math.min(d[i]!, at(x - 1, y) + 3, at(x, y - 1) + 3, at(x - 1, y - 1) + 4, at(x + 1, y - 1) + 4);
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      if (!d[i]) continue;
      d[i] = Math.min(d[i]!, at(x + 1, y) + 3, at(x, y + 1) + 3, at(x + 1, y + 1) + 4, at(x - 1, y + 1) + 4);
    }
  }
  // Only a mask that covers everything leaves `big` behind.
  for (let i = 0; i < d.length; i++) d[i] = d[i]! >= big ? Math.max(width, height) : d[i]! / 3;
  return d;
}

export interface MaskComponent {
  /** Pixel indices (y * width + x) of the component. */
  pixels: Int32Array;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Twice the largest inside distance: the width of the thickest part, in px. */
  thickness: number;
  /**
   * Twice the inside distance that a tenth of its pixels reach: the width of its body, in px,
   * which one knot or junction does not raise (a thin band with a blob on it stays thin).
   */
  bodyThickness: number;
}

/** A mask with its components (maskComponents of it): the detector's filters pass both on, so the mask is labelled once. */
export interface Marks {
  mask: Uint8Array;
  components: MaskComponent[];
}

export function marksOf(mask: Uint8Array, width: number, height: number): Marks {
  return { mask, components: maskComponents(mask, width, height) };
}

/** The marks less these whole components (which are some of `marks.components`). */
export function withoutComponents(marks: Marks, dropped: ReadonlySet<MaskComponent>): Marks {
  if (dropped.size === 0) return marks;
  const mask = marks.mask.slice();
  for (const component of dropped) for (const i of component.pixels) mask[i] = 0;
  return { mask, components: marks.components.filter((c) => !dropped.has(c)) };
}

/** Pixels in these components. */
export function pixelsIn(components: Iterable<MaskComponent>): number {
  let n = 0;
  for (const c of components) n += c.pixels.length;
  return n;
}

/** The 8-connected components of a mask, with their bounding boxes and thickness. */
export function maskComponents(mask: Uint8Array, width: number, height: number): MaskComponent[] {
  const dist = insideDistance(mask, width, height);
  const seen = new Uint8Array(mask.length);
  const stack = new Int32Array(mask.length);
  const components: MaskComponent[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    let top = 0;
    let count = 0;
    const members: number[] = [];
    stack[top++] = start;
    seen[start] = 1;
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    let maxDist = 0;
    while (top > 0) {
      const i = stack[--top]!;
      members.push(i);
      count++;
      const x = i % width;
      const y = (i - x) / width;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (dist[i]! > maxDist) maxDist = dist[i]!;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const j = yy * width + xx;
          if (mask[j] && !seen[j]) {
            seen[j] = 1;
            stack[top++] = j;
          }
        }
      }
    }
    const pixels = Int32Array.from(members.slice(0, count));
    const depths = Float32Array.from(pixels, (i) => dist[i]!).sort();
    const body = depths[Math.floor(0.9 * (depths.length - 1))]!;
    components.push({ pixels, x0, y0, x1, y1, thickness: 2 * maxDist, bodyThickness: 2 * body });
  }
  return components;
}
