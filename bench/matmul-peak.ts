import { encodeModel, FLOAT, tensorValue } from '../test/helpers/onnx-builder.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelSession } from '../src/core/inference/ort-backend.js';

/** A one-node ONNX model: C[M,N] = A[M,K] x B[K,N], B a constant, so the run is pure GEMM. */
function matmulModel(k: number, n: number): Uint8Array {
  const weights = new Float32Array(k * n);
  for (let i = 0; i < weights.length; i++) weights[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  return encodeModel(
    {
      name: 'matmul',
      node: [{ opType: 'MatMul', input: ['a', 'b'], output: ['c'], name: 'mm' }],
      initializer: [{ name: 'b', dataType: FLOAT, dims: [k, n], rawData: new Uint8Array(weights.buffer) }],
      input: [tensorValue('a', ['m', k])],
      output: [tensorValue('c', ['m', n])],
    },
    'heirloom-bench',
  );
}


export interface MatMulPeak {
  gflops: number;
  shape: string;
  points: Array<{ shape: string; gflops: number }>;
}

/**
 * ONNX Runtime's own GEMM peak on this device, measured in the same process: the best of
 * a few shapes, including the im2col shape of a 3x3 64->64 convolution.
 */
export async function measureMatMulPeak(workDir: string, threads?: number): Promise<MatMulPeak> {
  const shapes: Array<[number, number, number]> = [
    [1024, 1024, 1024],
    [2048, 2048, 2048],
    [16384, 576, 64],
    [4096, 576, 256],
  ];
  const points: MatMulPeak['points'] = [];
  for (const [m, k, n] of shapes) {
    const path = join(workDir, `matmul-${k}x${n}.onnx`);
    writeFileSync(path, matmulModel(k, n));
    const session = await ModelSession.open(path, { provider: 'cpu', ...(threads ? { threads } : {}) });
    const a = new Float32Array(m * k).fill(0.5);
    await session.run({ a: { data: a, dims: [m, k] } });
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      const t = process.hrtime.bigint();
      await session.run({ a: { data: a, dims: [m, k] } });
      best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
    }
    await session.dispose();
    points.push({ shape: `${m}x${k}x${n}`, gflops: (2 * m * k * n) / best / 1e9 });
  }
  const top = points.reduce((a, b) => (b.gflops > a.gflops ? b : a));
  return { gflops: top.gflops, shape: top.shape, points };
}
