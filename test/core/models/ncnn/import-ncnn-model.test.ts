import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { importNcnnModel } from '../../../../src/core/models/ncnn/import-ncnn-model.js';
import { HeirloomError } from '../../../../src/shared/errors.js';
import type { ErrorCode } from '../../../../src/shared/errors.js';
import { ModelManifestSchema } from '../../../../src/shared/model-manifest.js';
import { FIXTURES, runOnnx } from './reference-harness.js';
import { NcnnModelBuilder } from './synthetic-ncnn.js';
import type { SyntheticModel } from './synthetic-ncnn.js';

const hasCode = (code: ErrorCode, pattern?: RegExp) => (error: unknown) =>
  error instanceof HeirloomError && error.code === code && (pattern === undefined || pattern.test(error.message));

describe('importNcnnModel', () => {
  let work: string;
  let modelsDir: string;
  const paramPath = join(FIXTURES, 'realesr-general-x4v3.param');
  const binPath = join(FIXTURES, 'realesr-general-x4v3.bin');

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'heirloom-import-'));
    modelsDir = join(work, 'models');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  function writeModel(name: string, model: SyntheticModel): { paramPath: string; binPath: string } {
    const paths = { paramPath: join(work, `${name}.param`), binPath: join(work, `${name}.bin`) };
    writeFileSync(paths.paramPath, model.paramText);
    writeFileSync(paths.binPath, model.bin);
    return paths;
  }

  it('installs <modelsDir>/<id>/ with model.onnx and a valid manifest, inferring the id and scale 4', async () => {
    const manifest = await importNcnnModel({ paramPath, binPath, modelsDir });
    assert.equal(manifest.id, 'realesr-general-x4v3');
    assert.equal(manifest.scale, 4);
    assert.equal(manifest.source, 'imported');
    assert.equal(manifest.weightsPrecision, 'fp16');

    const folder = join(modelsDir, manifest.id);
    assert.deepEqual(readdirSync(folder).sort(), ['manifest.json', 'model.onnx']);
    assert.deepEqual(readdirSync(modelsDir), ['realesr-general-x4v3'], 'no staging folder is left behind');
    const onDisk = ModelManifestSchema.parse(JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')));
    assert.deepEqual(onDisk, manifest);
    const onnx = readFileSync(join(folder, 'model.onnx'));
    assert.equal(onDisk.sha256, createHash('sha256').update(onnx).digest('hex'));
    assert.match(onDisk.origin ?? '', /realesr-general-x4v3\.param \(sha256 46ffabec/);

    const output = await runOnnx(join(folder, 'model.onnx'), { data: new Float32Array(3 * 8 * 6).fill(0.5), dims: [1, 3, 8, 6] });
    assert.deepEqual([...output.dims], [1, 3, 32, 24]);
  });

  it('refuses to replace an installed id unless asked to overwrite', async () => {
    await assert.rejects(importNcnnModel({ paramPath, binPath, modelsDir }), hasCode('OUTPUT_EXISTS', /already installed/));
    const manifest = await importNcnnModel({ paramPath, binPath, modelsDir, overwrite: true, name: 'Replaced' });
    assert.equal(manifest.name, 'Replaced');
    assert.deepEqual(readdirSync(modelsDir), ['realesr-general-x4v3']);
  });

  it('takes --id and --scale, and refuses a scale the graph contradicts', async () => {
    const manifest = await importNcnnModel({ paramPath, binPath, modelsDir, id: 'general-copy', scale: 4 });
    assert.equal(manifest.id, 'general-copy');
    await assert.rejects(importNcnnModel({ paramPath, binPath, modelsDir, id: 'wrong-scale', scale: 2 }), hasCode('USAGE', /--scale 2 contradicts .* upscale by 4/));
    await assert.rejects(importNcnnModel({ paramPath, binPath, modelsDir, id: 'Bad Id' }), hasCode('USAGE'));
    assert.deepEqual(readdirSync(modelsDir).sort(), ['general-copy', 'realesr-general-x4v3']);
  });

  it('sanitises the id from an awkward file name', async () => {
    const b = new NcnnModelBuilder(9);
    b.simple('PixelShuffle', 'shuffle', [b.conv('conv', b.input({ channels: 3 }), { out: 12, pad: 1 })], '0=2', 3);
    const paths = writeModel('My Model (v2)', b.build());
    const manifest = await importNcnnModel({ ...paths, modelsDir });
    assert.equal(manifest.id, 'my-model-v2');
    assert.equal(manifest.scale, 2);
    assert.equal(manifest.name, 'My Model (v2) (imported)');
  });

  it('refuses networks that are not RGB-to-RGB or cannot take tiles of any size', async () => {
    const gray = new NcnnModelBuilder(10);
    gray.conv('conv', gray.input({ channels: 3 }), { out: 1, pad: 1 });
    await assert.rejects(importNcnnModel({ ...writeModel('gray', gray.build()), modelsDir }), hasCode('MODEL_CONVERSION_FAILED', /returns 1/));

    const fixed = new NcnnModelBuilder(11);
    fixed.simple('Interp', 'resize', [fixed.conv('conv', fixed.input({ channels: 3 }), { out: 3, pad: 1 })], '0=2 3=64 4=64');
    await assert.rejects(importNcnnModel({ ...writeModel('fixed', fixed.build()), modelsDir }), hasCode('MODEL_CONVERSION_FAILED', /fixed output size/));
  });

  it('reports a missing file with its path, and a truncated .bin with the layer and file', async () => {
    await assert.rejects(importNcnnModel({ paramPath: join(work, 'nope.param'), binPath, modelsDir }), hasCode('NOT_FOUND', /nope\.param/));
    const truncated = join(work, 'truncated.bin');
    writeFileSync(truncated, readFileSync(binPath).subarray(0, 1_000_000));
    await assert.rejects(importNcnnModel({ paramPath, binPath: truncated, modelsDir, id: 'truncated' }), hasCode('MODEL_INVALID', /truncated\.bin ends too early: layer Convolution "Conv_\d+"/));
    assert.ok(!readdirSync(modelsDir).includes('truncated'));
  });
});
