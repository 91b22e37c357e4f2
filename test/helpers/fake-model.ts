import type { ModelManifest } from '../../src/shared/model-manifest.js';
import type { BatchRunner } from '../../src/core/inference/tiler.js';

/**
 * A stand-in restoration model for scheduler tests that need no ONNX Runtime: a 3x3 box
 * blur (so tiles need real context: a receptive field of 1 pixel) followed by a
 * nearest-neighbour upscale. Deterministic and exact, so tiled runs can be compared with
 * whole-image runs bit for bit.
 */
export function fakeManifest(scale = 2): ModelManifest {
  return {
    id: 'fake-blur-x' + scale,
    name: 'Fake blur',
    task: 'restore-upscale',
    scale,
    file: 'none.onnx',
    sha256: '0'.repeat(64),
    sizeBytes: 1000,
    input: { name: 'input', layout: 'NCHW', channels: 'RGB', range: [0, 1] },
    output: { name: 'output', range: [0, 1] },
    tileOverlap: 2,
    weightsPrecision: 'fp32',
    cost: { flopsPerInputPixel: 18, activationBytesPerInputPixel: 1024, weightBytes: 0 },
    licence: { name: 'MIT', source: 'test' },
    source: 'bundled',
  };
}

export interface FakeRunnerLog {
  batches: number[];
  shapes: string[];
}

export function fakeRunner(scale: number, log?: FakeRunnerLog, delayMs = 0): BatchRunner {
  return async (input, dims) => {
    const [n, c, h, w] = dims;
    log?.batches.push(n);
    log?.shapes.push(`${w}x${h}`);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const out = new Float32Array(n * c * h * scale * w * scale);
    for (let b = 0; b < n; b++) {
      for (let ch = 0; ch < c; ch++) {
        const src = (b * c + ch) * h * w;
        const dst = (b * c + ch) * h * scale * w * scale;
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            let sum = 0;
            let count = 0;
            for (let dy = -1; dy <= 1; dy++) {
              for (let dx = -1; dx <= 1; dx++) {
                const yy = y + dy;
                const xx = x + dx;
                if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                sum += input[src + yy * w + xx]!;
                count++;
              }
            }
            const v = sum / count;
            for (let sy = 0; sy < scale; sy++) for (let sx = 0; sx < scale; sx++) out[dst + (y * scale + sy) * w * scale + x * scale + sx] = v;
          }
        }
      }
    }
    return out;
  };
}
