import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelSession } from '../../../src/core/inference/ort-backend.js';
import { createFaceModelRunner } from '../../../src/core/faces/face-model-runner.js';
import { composeAffine, applyAffine, type Affine } from '../../../src/core/faces/face-geometry.js';
import { faceTemplate } from '../../../src/core/faces/face-template.js';
import type { FaceModelRunner } from '../../../src/core/faces/face-model-runner.js';
import type { PlanarImage } from '../../../src/core/faces/planar-image.js';
import { alignFace } from '../../../src/core/faces/face-align.js';
import { featherWeight } from '../../../src/core/faces/face-mask.js';
import { canvasToSource } from '../../../src/core/faces/paste-face.js';
import { restoreFaces, type FaceProgress } from '../../../src/core/faces/face-pipeline.js';
import { YuNetDetector, type DetectedFace, type FaceDetector } from '../../../src/core/faces/yunet-detector.js';
import type { PixelSource } from '../../../src/core/inference/tiler.js';
import type { ModelManifest } from '../../../src/shared/model-manifest.js';
import { blobCentre, canvasPlanes, dotPhoto, enlarge, loadFixture, openYuNet, toGray } from './face-test-helpers.js';
import { installStandInFaceModel } from './stand-in-face-model.js';

const SCALE = 2;

describe('face pipeline with the stand-in face model', () => {
  let dir: string;
  let yunet: ModelSession;
  let faceSession: ModelSession;
  let fidelitySession: ModelSession;
  let manifest: ModelManifest;
  let fidelityManifest: ModelManifest;
  let photo: PixelSource;
  let face: DetectedFace;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'heirloom-faces-'));
    manifest = installStandInFaceModel(dir);
    fidelityManifest = installStandInFaceModel(dir, 'stand-in-fidelity', { fidelity: true });
    yunet = await openYuNet();
    faceSession = await ModelSession.open(join(dir, manifest.id, 'model.onnx'), { provider: 'cpu', threads: 1 });
    fidelitySession = await ModelSession.open(join(dir, fidelityManifest.id, 'model.onnx'), { provider: 'cpu', threads: 1 });
    photo = (await loadFixture('astronaut.png')).pixels;
    [face] = (await new YuNetDetector(yunet).detect(photo)) as [DetectedFace];
  });
  after(async () => {
    await Promise.all([yunet.dispose(), faceSession.dispose(), fidelitySession.dispose()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Mask weight of every canvas pixel for the astronaut's face (what the paste may touch). */
  function maskOf(canvas: { width: number; height: number }): Float32Array {
    const toCrop = composeAffine(alignFace(photo, face.landmarks, { size: 512, template: 'ffhq' }).toCrop, canvasToSource(SCALE));
    const mask = new Float32Array(canvas.width * canvas.height);
    for (let y = 0; y < canvas.height; y++) {
      for (let x = 0; x < canvas.width; x++) {
        const p = applyAffine(toCrop, { x, y });
        mask[y * canvas.width + x] = featherWeight(p.x, p.y, 512);
      }
    }
    return mask;
  }

  it('changes the face, and only inside the feathered mask', async () => {
    const background = enlarge(photo, SCALE);
    const canvas = { ...background, data: background.data.slice() };
    const events: FaceProgress[] = [];
    const result = await restoreFaces(
      { source: photo, canvas, scale: SCALE },
      { detector: new YuNetDetector(yunet), model: createFaceModelRunner(faceSession, manifest), weight: 1, batchSize: 4, onProgress: (e) => events.push(e) },
    );
    assert.equal(result.faces, 1);
    assert.ok(events.some((e) => e.stage === 'restoring' && e.done === 1 && e.faces === 1));

    const mask = maskOf(canvas);
    let outsideChanged = 0;
    let coreDiff = 0;
    let corePixels = 0;
    for (let p = 0; p < mask.length; p++) {
      const changed = [0, 1, 2].some((c) => canvas.data[p * 3 + c] !== background.data[p * 3 + c]);
      if (mask[p] === 0 && changed) outsideChanged++;
      if (mask[p] === 1) {
        corePixels++;
        for (let c = 0; c < 3; c++) coreDiff += Math.abs(canvas.data[p * 3 + c]! - background.data[p * 3 + c]!);
      }
    }
    assert.equal(outsideChanged, 0, 'pixels outside the mask must equal the background-only restore');
    assert.ok(corePixels > 100 * 100, `mask core has ${corePixels} pixels`);
    // The stand-in inverts the face: in the mask's core each value moves by |255 - 2v| on average, far more than 40.
    assert.ok(coreDiff / (corePixels * 3) > 40, `mean change in the face ${(coreDiff / (corePixels * 3)).toFixed(1)}`);
    // In the core the face is the inverted photo (up to resampling): check at the nose.
    const nose = { x: Math.round((face.landmarks[2].x + 0.5) * SCALE - 0.5), y: Math.round((face.landmarks[2].y + 0.5) * SCALE - 0.5) };
    const i = (nose.y * canvas.width + nose.x) * 3;
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(canvas.data[i + c]! - (255 - background.data[i + c]!)) < 24, `channel ${c} at the nose`);
  });

  it('with weight 0 gives exactly the background-only result', async () => {
    const background = enlarge(photo, SCALE);
    const canvas = { ...background, data: background.data.slice() };
    const result = await restoreFaces(
      { source: photo, canvas, scale: SCALE },
      { detector: new YuNetDetector(yunet), model: createFaceModelRunner(faceSession, manifest), weight: 0, batchSize: 1 },
    );
    assert.equal(result.faces, 1, 'faces are still found and reported');
    assert.deepEqual(canvas.data, background.data);
  });

  it('blends half-way at weight 0.5', async () => {
    const background = enlarge(photo, SCALE);
    const full = { ...background, data: background.data.slice() };
    const half = { ...background, data: background.data.slice() };
    const detector = new YuNetDetector(yunet);
    const model = createFaceModelRunner(faceSession, manifest);
    await restoreFaces({ source: photo, canvas: full, scale: SCALE }, { detector, model, weight: 1, batchSize: 1 });
    await restoreFaces({ source: photo, canvas: half, scale: SCALE }, { detector, model, weight: 0.5, batchSize: 1 });
    const mask = maskOf(full);
    let worst = 0;
    for (let p = 0; p < mask.length; p++) {
      if (mask[p] !== 1) continue;
      for (let c = 0; c < 3; c++) {
        const expected = (background.data[p * 3 + c]! + full.data[p * 3 + c]!) / 2;
        worst = Math.max(worst, Math.abs(half.data[p * 3 + c]! - expected));
      }
    }
    assert.ok(worst <= 1, `half weight is the average of background and restored face (worst ${worst})`);
  });

  it('keeps a grey photo grey', async () => {
    const gray = toGray(photo);
    const background = enlarge(gray, SCALE);
    const canvas = { ...background, data: background.data.slice() };
    const result = await restoreFaces(
      { source: gray, canvas, scale: SCALE },
      { detector: new YuNetDetector(yunet), model: createFaceModelRunner(faceSession, manifest), weight: 1, batchSize: 1 },
    );
    assert.equal(result.faces, 1);
    assert.equal(canvas.channels, 1);
    assert.equal(canvas.data.length, canvas.width * canvas.height);
    assert.notDeepEqual(canvas.data, background.data);
  });

  it('feeds the fidelity to a fidelity input the manifest declares (CodeFormer-style, float64)', async () => {
    const runner = createFaceModelRunner(fidelitySession, fidelityManifest);
    const crop = alignFace(photo, face.landmarks, { size: 512, template: 'ffhq' }).crop;
    // The fidelity stand-in computes x * (1 - 2w) in [-1, 1]: w = 0 keeps the crop, w = 1 inverts it.
    const [kept] = await runner.run([crop], 0);
    const [inverted] = await runner.run([crop], 1);
    let keptError = 0;
    let invertedError = 0;
    for (let i = 0; i < crop.data.length; i += 97) {
      keptError = Math.max(keptError, Math.abs(kept!.data[i]! - crop.data[i]!));
      invertedError = Math.max(invertedError, Math.abs(inverted!.data[i]! - (1 - crop.data[i]!)));
    }
    assert.ok(keptError < 1e-5, `w = 0 keeps the crop (error ${keptError})`);
    assert.ok(invertedError < 1e-5, `w = 1 inverts it (error ${invertedError})`);
  });

  it('feeds the fidelity apart from the paste weight, 0.5 unless asked', async () => {
    const background = enlarge(photo, SCALE);
    const detector = new YuNetDetector(yunet);
    const model = createFaceModelRunner(fidelitySession, fidelityManifest);
    const byDefault = { ...background, data: background.data.slice() };
    const faithful = { ...background, data: background.data.slice() };
    await restoreFaces({ source: photo, canvas: byDefault, scale: SCALE }, { detector, model, weight: 1, batchSize: 1 });
    await restoreFaces({ source: photo, canvas: faithful, scale: SCALE }, { detector, model, weight: 1, fidelity: 0, batchSize: 1 });
    const mask = maskOf(byDefault);
    let grey = 0;
    let kept = 0;
    let core = 0;
    for (let p = 0; p < mask.length; p++) {
      if (mask[p] !== 1) continue;
      core++;
      for (let c = 0; c < 3; c++) {
        // w = 0.5 makes the stand-in's output 0 in [-1, 1]: mid-grey. Fed the weight (1), it would invert the face.
        grey = Math.max(grey, Math.abs(byDefault.data[p * 3 + c]! - 127.5));
        kept += Math.abs(faithful.data[p * 3 + c]! - background.data[p * 3 + c]!);
      }
    }
    assert.ok(grey <= 1, `default fidelity 0.5 reaches the model (worst distance from grey ${grey})`);
    // w = 0 is the identity: the face comes back as it was, up to resampling.
    assert.ok(kept / (core * 3) < 6, `fidelity 0 keeps the face (mean change ${(kept / (core * 3)).toFixed(1)})`);
  });

  it('pastes every colour channel back where it belongs, for RGB and BGR models', async () => {
    // The model keeps its first channel, halves its second (in [-1, 1]) and inverts its third.
    const gains = [1, 0.5, -1] as const;
    const identityManifest = installStandInFaceModel(dir, 'stand-in-identity', { channelGains: [1, 1, 1] });
    const channelManifest = installStandInFaceModel(dir, 'stand-in-channels', { channelGains: gains });
    const open = (m: ModelManifest) => ModelSession.open(join(dir, m.id, 'model.onnx'), { provider: 'cpu', threads: 1 });
    const [identity, channels] = await Promise.all([open(identityManifest), open(channelManifest)]);
    try {
      const detector = new YuNetDetector(yunet);
      const background = enlarge(photo, SCALE);
      const run = async (session: ModelSession, manifest: ModelManifest) => {
        const canvas = { ...background, data: background.data.slice() };
        await restoreFaces({ source: photo, canvas, scale: SCALE }, { detector, model: createFaceModelRunner(session, manifest), weight: 1, batchSize: 1 });
        return canvas.data;
      };
      // The face as the pipeline brings it back unchanged: the reference for each channel.
      const same = await run(identity, identityManifest);
      const mask = maskOf(background);
      const halve = (v: number) => v / 2 + 255 / 4; // 0.5 x in [-1, 1] is v / 2 + 1/4 in [0, 1]
      const invert = (v: number) => 255 - v;
      const keep = (v: number) => v;
      for (const [order, expected] of [
        ['RGB', [keep, halve, invert]],
        ['BGR', [invert, halve, keep]], // the model's first channel is blue
      ] as const) {
        const pasted = await run(channels, { ...channelManifest, input: { ...channelManifest.input, channels: order } });
        const worst = [0, 0, 0];
        for (let p = 0; p < mask.length; p++) {
          if (mask[p] !== 1) continue;
          for (let c = 0; c < 3; c++) worst[c] = Math.max(worst[c]!, Math.abs(pasted[p * 3 + c]! - expected[c]!(same[p * 3 + c]!)));
        }
        worst.forEach((w, c) => assert.ok(w <= 2, `${order} model: channel ${'RGB'[c]} is off by up to ${w}`));
      }
    } finally {
      await Promise.all([identity.dispose(), channels.dispose()]);
    }
  });

  it("aligns each face to its model's template and pastes it back with the same one", async () => {
    // Five dots where a "detector" reports the landmarks: the template of the model, rotated,
    // scaled and moved into a photo. After alignment they must sit on the template's points.
    const identityManifest = installStandInFaceModel(dir, 'stand-in-256', { size: 256, channelGains: [1, 1, 1] });
    const session = await ModelSession.open(join(dir, identityManifest.id, 'model.onnx'), { provider: 'cpu', threads: 1 });
    try {
      const placement: Affine = [0.9 * Math.cos(0.15), -0.9 * Math.sin(0.15), 50, 0.9 * Math.sin(0.15), 0.9 * Math.cos(0.15), 20];
      for (const template of ['ffhq', 'arcface_128'] as const) {
        const other = template === 'ffhq' ? 'arcface_128' : 'ffhq';
        const points = faceTemplate(template, 256);
        const landmarks = points.map((p) => applyAffine(placement, p)) as DetectedFace['landmarks'];
        const source = dotPhoto(320, 320, landmarks);
        const detector: FaceDetector = { detect: () => Promise.resolve([{ box: { x: 60, y: 40, width: 200, height: 220 }, score: 1, landmarks }]) };
        const runner = createFaceModelRunner(session, { ...identityManifest, template });
        const crops: PlanarImage[] = [];
        const recording: FaceModelRunner = { ...runner, run: (batch, fidelity) => (crops.push(...batch), runner.run(batch, fidelity)) };
        const canvas = { width: 320, height: 320, channels: 3 as const, bitDepth: 16 as const, data: new Uint16Array(source.data.length) };
        await restoreFaces({ source, canvas, scale: 1 }, { detector, model: recording, weight: 1, batchSize: 1 });
        assert.equal(crops.length, 1);
        let offOther = 0;
        points.forEach((p, i) => {
          const found = blobCentre(crops[0]!, p);
          assert.ok(found, `${template}: no landmark near its template point ${i}`);
          assert.ok(Math.hypot(found.x - p.x, found.y - p.y) < 1, `${template}: landmark ${i} at ${found.x.toFixed(2)},${found.y.toFixed(2)}, template ${p.x.toFixed(2)},${p.y.toFixed(2)}`);
          const wrong = faceTemplate(other, 256)[i]!;
          offOther = Math.max(offOther, Math.hypot(found.x - wrong.x, found.y - wrong.y));
        });
        // The two templates nearly share the mouth corners, but not the eyes (17 px apart at 256).
        assert.ok(offOther > 10, `${template}: the crop would pass for ${other} too (at most ${offOther.toFixed(1)} px off)`);
        // Pasted back (onto a black canvas) the dots are where they were in the photo.
        const pasted = canvasPlanes(canvas);
        landmarks.forEach((p, i) => {
          const found = blobCentre(pasted, p);
          assert.ok(found && Math.hypot(found.x - p.x, found.y - p.y) < 0.5, `${template}: pasted landmark ${i} at ${found ? `${found.x.toFixed(2)},${found.y.toFixed(2)}` : 'nowhere'}, was ${p.x.toFixed(2)},${p.y.toFixed(2)}`);
        });
      }
    } finally {
      await session.dispose();
    }
  });

  it('refuses a model that is not a face-restoration model', () => {
    assert.throws(() => createFaceModelRunner(faceSession, { ...manifest, task: 'restore-upscale' }), /not a face-restoration model/);
  });
});
