// The bundled high-quality model, realesrgan-x4plus, whose 33 MB ncnn .bin is too big to copy
// into the tests (and the tests may not read ../shared). What is checked, and how:
// - the graph comes from its real ncnn .param (117 KB, copied into test/fixtures/ncnn), and the
//   bundled ONNX file records that very .param's sha256, so the ONNX was converted from it;
// - the weights are read back from the bundled ONNX initializers, and the reference runs the
//   ncnn layers (its own Concat / Eltwise / Interp / LeakyReLU code) with them: agreement with
//   ONNX Runtime checks the converted graph structure on the real network, layer by layer;
// - what this cannot check is that those initializers equal the .bin's weights. That is covered
//   by the .bin reader being the one that reproduces realesr-general-x4v3 byte for byte (same tags,
//   same float16 blobs) and by `npx tsx scripts/convert-models.ts --check`, which reconverts both
//   models from ../shared/models/ncnn and compares with models/ byte for byte (a script check,
//   not a skipped test, because ../shared is not part of the repository).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import onnxProto from 'onnx-proto';
import { runNcnnReference } from '../../../../src/core/models/ncnn/ncnn-reference.js';
import { parseNcnnParam } from '../../../../src/core/models/ncnn/parse-ncnn-param.js';
import { readNcnnWeightsFromOnnx } from '../../../../src/core/models/ncnn/read-ncnn-weights-from-onnx.js';
import { ModelManifestSchema } from '../../../../src/shared/model-manifest.js';
import { FIXTURES, REPO_MODELS, loadPhotoCrop, maxAbsDifference, runOnnx } from './reference-harness.js';

const ID = 'realesrgan-x4plus';
const paramFile = join(FIXTURES, `${ID}.param`);
const onnxFile = join(REPO_MODELS, ID, 'model.onnx');

describe('bundled realesrgan-x4plus', () => {
  it('was converted from the .param in the fixtures, and the manifest names that .param', () => {
    const paramSha256 = createHash('sha256').update(readFileSync(paramFile)).digest('hex');
    const model = onnxProto.onnx.ModelProto.decode(readFileSync(onnxFile));
    const metadata = new Map((model.metadataProps ?? []).map((p) => [p.key, p.value]));
    assert.equal(metadata.get('source_param_sha256'), paramSha256);
    const manifest = ModelManifestSchema.parse(JSON.parse(readFileSync(join(REPO_MODELS, ID, 'manifest.json'), 'utf8')));
    assert.ok(manifest.origin?.includes(`${ID}.param (sha256 ${paramSha256})`));
    assert.ok(manifest.origin?.includes(`${ID}.bin (sha256 ${metadata.get('source_bin_sha256')})`));
  });

  it('matches the reference run on its ncnn graph with the bundled weights within 1e-4 on a 12x12 crop', async (t) => {
    const graph = parseNcnnParam(readFileSync(paramFile, 'utf8'), paramFile);
    const weights = readNcnnWeightsFromOnnx(graph, readFileSync(onnxFile), onnxFile);
    const input = loadPhotoCrop({ x: 6, y: 6, width: 12, height: 12 });

    const started = performance.now();
    const reference = runNcnnReference(graph, weights, input, paramFile);
    const referenceMs = performance.now() - started;
    const onnx = await runOnnx(onnxFile, input);

    assert.deepEqual([...onnx.dims], [1, 3, 48, 48]);
    const diff = maxAbsDifference(reference.data, onnx.data);
    t.diagnostic(`12x12 crop: max |onnx - reference| = ${diff.toExponential(2)}, reference took ${Math.round(referenceMs)} ms`);
    assert.ok(diff <= 1e-4, `max difference ${diff}`);
  });
});
