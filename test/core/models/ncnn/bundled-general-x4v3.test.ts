// The bundled default model, realesr-general-x4v3, checked end to end:
// - its ncnn source (2.4 MB, copied into test/fixtures/ncnn with its licence) is run through the
//   TypeScript reference and compared with models/realesr-general-x4v3/model.onnx in ONNX Runtime;
// - converting that source again reproduces the bundled model.onnx byte for byte, twice, so the
//   file in models/ is exactly what the converter makes of the published weights;
// - both bundled manifests are valid and describe the files next to them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { convertNcnnToOnnx } from '../../../../src/core/models/ncnn/convert-ncnn-to-onnx.js';
import { runNcnnReference } from '../../../../src/core/models/ncnn/ncnn-reference.js';
import { parseNcnnParam } from '../../../../src/core/models/ncnn/parse-ncnn-param.js';
import { readNcnnWeights } from '../../../../src/core/models/ncnn/read-ncnn-weights.js';
import { DEFAULT_MODEL_ID, ModelManifestSchema } from '../../../../src/shared/model-manifest.js';
import { FIXTURES, REPO_MODELS, loadPhotoCrop, maxAbsDifference, runOnnx } from './reference-harness.js';

const ID = 'realesr-general-x4v3';
const paramFile = join(FIXTURES, `${ID}.param`);
const binFile = join(FIXTURES, `${ID}.bin`);
const bundledOnnx = join(REPO_MODELS, ID, 'model.onnx');

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('bundled realesr-general-x4v3', () => {
  it('matches the reference run on its ncnn weights within 1e-4 on a real photo crop', async (t) => {
    const paramText = readFileSync(paramFile, 'utf8');
    const graph = parseNcnnParam(paramText, paramFile);
    const weights = readNcnnWeights(graph, readFileSync(binFile), { paramFile, binFile });
    const input = loadPhotoCrop();

    const started = performance.now();
    const reference = runNcnnReference(graph, weights, input, paramFile);
    const referenceMs = performance.now() - started;
    const onnx = await runOnnx(bundledOnnx, input);

    assert.deepEqual([...onnx.dims], [1, 3, 96, 96]);
    const diff = maxAbsDifference(reference.data, onnx.data);
    t.diagnostic(`24x24 crop: max |onnx - reference| = ${diff.toExponential(2)}, reference took ${Math.round(referenceMs)} ms`);
    assert.ok(diff <= 1e-4, `max difference ${diff}`);
  });

  it('is reproduced byte for byte by converting its ncnn source, every time', () => {
    const source = { paramText: readFileSync(paramFile, 'utf8'), bin: readFileSync(binFile), paramFile, binFile };
    const first = convertNcnnToOnnx(source);
    const second = convertNcnnToOnnx(source);
    assert.ok(Buffer.from(first.onnx).equals(Buffer.from(second.onnx)), 'two conversions differ');
    assert.ok(Buffer.from(first.onnx).equals(readFileSync(bundledOnnx)), 'the bundled model.onnx is not what the converter makes of the fixture');
  });
});

describe('bundled model folders', () => {
  // Measured, not derived: the smallest overlap keeping --tile 64 within 50 dB of --tile 0 (scripts/convert-models.ts).
  const measuredOverlap: Record<string, number> = { [ID]: 12, 'realesrgan-x4plus': 48 };
  for (const id of [ID, 'realesrgan-x4plus']) {
    it(`${id}: manifest is valid and matches model.onnx and LICENSE`, () => {
      const folder = join(REPO_MODELS, id);
      const manifest = ModelManifestSchema.parse(JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')));
      const onnx = readFileSync(join(folder, manifest.file));
      assert.equal(manifest.id, id);
      assert.equal(manifest.sha256, sha256(onnx));
      assert.equal(manifest.sizeBytes, onnx.byteLength);
      assert.equal(manifest.task, 'restore-upscale');
      assert.equal(manifest.scale, 4);
      assert.equal(manifest.source, 'bundled');
      assert.equal(manifest.weightsPrecision, 'fp16');
      assert.deepEqual(manifest.input, { name: 'input', layout: 'NCHW', channels: 'RGB', range: [0, 1] });
      assert.deepEqual(manifest.output, { name: 'output', range: [0, 1] });
      assert.equal(manifest.tileOverlap, measuredOverlap[id]);
      assert.ok(manifest.cost !== undefined && manifest.cost.flopsPerInputPixel > 1e6);
      assert.deepEqual(manifest.licence, { name: 'BSD-3-Clause', file: 'LICENSE', source: 'https://github.com/xinntao/Real-ESRGAN' });
      assert.match(readFileSync(join(folder, 'LICENSE'), 'utf8'), /BSD 3-Clause License\s+Copyright \(c\) 2021, Xintao Wang/);
      assert.match(manifest.origin ?? '', new RegExp(`${id}\\.param \\(sha256 [0-9a-f]{64}\\) and ${id}\\.bin \\(sha256 [0-9a-f]{64}\\)`));
    });
  }

  it('has the default model among them, named as the fast option; x4plus is the high-quality one', () => {
    const read = (id: string) => ModelManifestSchema.parse(JSON.parse(readFileSync(join(REPO_MODELS, id, 'manifest.json'), 'utf8')));
    assert.equal(DEFAULT_MODEL_ID, ID);
    assert.ok(existsSync(join(REPO_MODELS, DEFAULT_MODEL_ID, 'model.onnx')));
    assert.match(read(ID).name, /fast/);
    assert.match(read('realesrgan-x4plus').name, /high quality/);
  });
});
