import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelSession } from '../../../src/core/inference/ort-backend.js';
import { createFaceModelRunner } from '../../../src/core/faces/face-model-runner.js';
import { faceMemoryEstimate, planFaceBatch, restoreFaceBatches } from '../../../src/core/faces/face-batches.js';
import type { FaceModelRunner } from '../../../src/core/faces/face-model-runner.js';
import type { PlanarImage } from '../../../src/core/faces/planar-image.js';
import { HeirloomError } from '../../../src/shared/errors.js';
import { restoreFacesInPhotos, type FacePhoto, type FaceProgress } from '../../../src/core/faces/face-pipeline.js';
import { YuNetDetector } from '../../../src/core/faces/yunet-detector.js';
import type { PixelSource } from '../../../src/core/inference/tiler.js';
import type { ModelManifest } from '../../../src/shared/model-manifest.js';
import { enlarge, loadFixture, openYuNet, toGray } from './face-test-helpers.js';
import { installStandInFaceModel } from './stand-in-face-model.js';

function mirrored(source: PixelSource): PixelSource {
  const data = new Uint8Array(source.data.length);
  for (let y = 0; y < source.height; y++) {
    for (let x = 0; x < source.width; x++) {
      for (let c = 0; c < source.stride; c++) data[(y * source.width + x) * source.stride + c] = source.data[(y * source.width + source.width - 1 - x) * source.stride + c]!;
    }
  }
  return { ...source, data };
}

const GiB = 1024 ** 3;

describe('faces from several photos batched together', () => {
  let dir: string;
  let yunet: ModelSession;
  let dynamic: ModelSession;
  let fixed: ModelSession;
  let manifest: ModelManifest;
  let fixedManifest: ModelManifest;
  let photos: PixelSource[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'heirloom-face-batches-'));
    manifest = installStandInFaceModel(dir);
    fixedManifest = installStandInFaceModel(dir, 'stand-in-batch-1', { fixedBatch: 1 });
    yunet = await openYuNet();
    dynamic = await ModelSession.open(join(dir, manifest.id, 'model.onnx'), { provider: 'cpu', threads: 1 });
    fixed = await ModelSession.open(join(dir, fixedManifest.id, 'model.onnx'), { provider: 'cpu', threads: 1 });
    const astronaut = (await loadFixture('astronaut.png')).pixels;
    // Three different photos with one face each: colour, mirrored, and grey.
    photos = [astronaut, mirrored(astronaut), toGray(mirrored(astronaut))];
  });
  after(async () => {
    await Promise.all([yunet.dispose(), dynamic.dispose(), fixed.dispose()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const jobs = (): FacePhoto[] => photos.map((source) => ({ source, canvas: enlarge(source, 1), scale: 1 }));

  it('plans a batch larger than one when memory allows, and one when it does not', () => {
    const roomy = planFaceBatch({ manifest, freeBytes: 16 * GiB, budget: { kind: 'fraction', value: 0.8 }, maxBatch: 8, faces: 3 });
    assert.equal(roomy.batchSize, 3, 'never more than the faces waiting');
    assert.ok(roomy.fits);
    const tight = planFaceBatch({ manifest, freeBytes: faceMemoryEstimate(manifest).perItemBytes * 1.5, budget: { kind: 'fraction', value: 0.8 }, maxBatch: 8, faces: 3 });
    assert.equal(tight.batchSize, 1);
  });

  it('runs the faces of three photos in one batch and pastes each into its own photo', async () => {
    const plan = planFaceBatch({ manifest, freeBytes: 16 * GiB, budget: { kind: 'fraction', value: 0.8 }, maxBatch: 8, faces: 3 });
    const events: FaceProgress[] = [];
    const batch = jobs();
    const before = batch.map((p) => p.canvas.data.slice());
    const counts = await restoreFacesInPhotos(batch, {
      detector: new YuNetDetector(yunet),
      model: createFaceModelRunner(dynamic, manifest),
      weight: 1,
      batchSize: plan.batchSize,
      onProgress: (e) => events.push(e),
    });
    assert.deepEqual(counts, [1, 1, 1]);
    const runs = events.filter((e) => e.stage === 'restoring' && e.done > 0);
    assert.deepEqual(
      runs.map((e) => e.batchSize),
      [3],
      'one model run with all three faces',
    );
    batch.forEach((p, i) => assert.notDeepEqual(p.canvas.data, before[i], `photo ${i} got its face back`));
    // The mirrored photo's face lands mirrored: compare a row through the eyes with photo 0's.
    const row = 102 * 512;
    let mismatch = 0;
    for (let x = 150; x < 300; x++) {
      for (let c = 0; c < 3; c++) mismatch = Math.max(mismatch, Math.abs(batch[0]!.canvas.data[(row + x) * 3 + c]! - batch[1]!.canvas.data[(row + 511 - x) * 3 + c]!));
    }
    assert.ok(mismatch < 40, `mirrored photo restored as the mirror image (worst ${mismatch})`);
  });

  it('splits into batches of one for a model whose export fixed the batch dimension', async () => {
    const runner = createFaceModelRunner(fixed, fixedManifest);
    assert.equal(runner.maxBatch, 1);
    const events: FaceProgress[] = [];
    const counts = await restoreFacesInPhotos(jobs(), { detector: new YuNetDetector(yunet), model: runner, weight: 1, batchSize: 8, onProgress: (e) => events.push(e) });
    assert.deepEqual(counts, [1, 1, 1]);
    assert.deepEqual(
      events.filter((e) => e.stage === 'restoring' && e.done > 0).map((e) => e.batchSize),
      [1, 1, 1],
    );
  });

  it('halves the batch when the device runs out of memory, and keeps the order', async () => {
    const crops: PlanarImage[] = Array.from({ length: 5 }, (_, i) => ({ width: 4, height: 4, channels: 3, data: new Float32Array(48).fill(i / 10) }));
    const attempts: number[] = [];
    const runner: FaceModelRunner = {
      modelId: 'fake',
      size: 4,
      template: 'ffhq',
      maxBatch: Number.POSITIVE_INFINITY,
      async run(batch) {
        attempts.push(batch.length);
        if (batch.length > 2) throw new HeirloomError('OUT_OF_MEMORY', 'Failed to allocate memory for the batch');
        return batch.map((c) => ({ ...c, data: c.data.map((v) => v + 1) }));
      },
    };
    const done: number[] = [];
    const restored = await restoreFaceBatches(crops, runner, { batchSize: 8, fidelity: 0.5, onBatch: (b) => done.push(b.batchSize) });
    assert.deepEqual(attempts, [5, 2, 2, 1]);
    assert.deepEqual(done, [2, 2, 1]);
    assert.deepEqual(
      restored.map((r) => Math.round(r.data[0]! * 10)),
      [10, 11, 12, 13, 14],
    );
    const failing: FaceModelRunner = { ...runner, run: () => Promise.reject(new Error('bad model')) };
    await assert.rejects(restoreFaceBatches(crops, failing, { batchSize: 4, fidelity: 0.5 }), /bad model/);
  });

  it('estimates per-face memory from the input size when the manifest has no cost', () => {
    const small = faceMemoryEstimate({ ...manifest, input: { ...manifest.input, size: [256, 256] } });
    const large = faceMemoryEstimate(manifest);
    assert.ok(large.perItemBytes > 3.9 * small.perItemBytes && large.perItemBytes < 4.1 * small.perItemBytes);
    const costed = faceMemoryEstimate({ ...manifest, cost: { flopsPerInputPixel: 1e5, activationBytesPerInputPixel: 100, weightBytes: 1e6 } });
    assert.ok(costed.perItemBytes < large.perItemBytes / 5, 'a cost block overrides the fallback');
  });
});
