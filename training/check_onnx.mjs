// Checks the exported damage detector with onnxruntime-node (what the product runs) against the
// PyTorch output saved by export_onnx.py, and times one 768x512 input.
//   node training/check_onnx.mjs models/damage-unet/model.onnx /tmp/heirloom-train/run
// Writes WORK/ort_check.json { maxAbsDiff, ms768x512: {median, runs}, threads }.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'));
const ort = require('onnxruntime-node');

const [modelPath, work] = process.argv.slice(2);
const threads = Number(process.env.ORT_THREADS ?? 2);
const session = await ort.InferenceSession.create(modelPath, {
  graphOptimizationLevel: 'all',
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
});
console.log('inputs', session.inputNames, 'outputs', session.outputNames);

const meta = JSON.parse(readFileSync(join(work, 'check_meta.json'), 'utf8'));
const floats = (file) => {
  const b = readFileSync(join(work, file));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
const input = floats('check_input.bin');
const expected = floats('check_output.bin');
const out = await session.run({ image: new ort.Tensor('float32', input, meta.inputShape) });
const mask = out.mask;
if (JSON.stringify(mask.dims) !== JSON.stringify(meta.outputShape)) throw new Error(`shape ${mask.dims} != ${meta.outputShape}`);
let maxAbsDiff = 0;
for (let i = 0; i < expected.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(mask.data[i] - expected[i]));
console.log('max abs diff vs PyTorch', maxAbsDiff);

const H = 512;
const W = 768;
const big = new Float32Array(3 * H * W);
for (let i = 0; i < big.length; i++) big[i] = input[i % input.length];
const feeds = { image: new ort.Tensor('float32', big, [1, 3, H, W]) };
await session.run(feeds); // warm-up
const runs = [];
for (let k = 0; k < 5; k++) {
  const t = performance.now();
  await session.run(feeds);
  runs.push(performance.now() - t);
}
const sorted = [...runs].sort((a, b) => a - b);
const result = { maxAbsDiff, ms768x512: { median: sorted[2], min: sorted[0], runs }, threads, ort: require('onnxruntime-node/package.json').version };
console.log(JSON.stringify(result));
writeFileSync(join(work, 'ort_check.json'), JSON.stringify(result, null, 2));
if (!(maxAbsDiff < 1e-4)) {
  console.error('ONNX output differs from PyTorch');
  process.exit(1);
}
