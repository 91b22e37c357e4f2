import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelSession } from '../../../src/core/inference/ort-backend.js';
import { nonMaximumSuppression, YuNetDetector, type DetectedFace } from '../../../src/core/faces/yunet-detector.js';
import { loadFixture, openYuNet, toGray } from './face-test-helpers.js';

/**
 * Read off by eye from astronaut.png with the detections drawn on it (8x zoom): the pupils,
 * the tip of the nose, the corners of the smile, and the face from cheek to cheek and
 * mid-forehead to chin.
 */
const ASTRONAUT = {
  box: { x: 178, y: 63, width: 90, height: 113 },
  landmarks: [
    { x: 203, y: 101.5 },
    { x: 246.5, y: 102.5 },
    { x: 224, y: 126 },
    { x: 204, y: 142 },
    { x: 242, y: 142.5 },
  ],
};

function assertNear(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual.toFixed(1)} is not within ${tolerance} px of ${expected}`);
}

function assertAstronautFace(face: DetectedFace | undefined, tolerance: number): void {
  assert.ok(face, 'no face found');
  assertNear(face.box.x, ASTRONAUT.box.x, tolerance + 2, 'box x');
  assertNear(face.box.y, ASTRONAUT.box.y, tolerance + 2, 'box y');
  assertNear(face.box.width, ASTRONAUT.box.width, tolerance + 2, 'box width');
  assertNear(face.box.height, ASTRONAUT.box.height, tolerance + 2, 'box height');
  face.landmarks.forEach((p, i) => {
    assertNear(p.x, ASTRONAUT.landmarks[i]!.x, tolerance, `landmark ${i} x`);
    assertNear(p.y, ASTRONAUT.landmarks[i]!.y, tolerance, `landmark ${i} y`);
  });
}

describe('YuNet face detector', () => {
  let session: ModelSession;
  before(async () => {
    session = await openYuNet();
  });
  after(async () => {
    await session.dispose();
  });

  it('finds the one face in astronaut.png with its box and five landmarks where they are', async () => {
    const image = await loadFixture('astronaut.png');
    const faces = await new YuNetDetector(session).detect(image.pixels);
    assert.equal(faces.length, 1);
    assert.ok(faces[0]!.score > 0.9, `score ${faces[0]!.score}`);
    assertAstronautFace(faces[0], 6);
  });

  it('finds no face among the coins', async () => {
    const image = await loadFixture('coins.png');
    assert.equal(image.colorChannels, 1);
    const faces = await new YuNetDetector(session, { scoreThreshold: 0.5 }).detect(image.pixels);
    assert.deepEqual(faces, []);
  });

  it('maps detections on a reduced copy back to the photo', async () => {
    const image = await loadFixture('astronaut.png');
    const faces = await new YuNetDetector(session, { maxSide: 256 }).detect(image.pixels);
    assert.equal(faces.length, 1);
    assertAstronautFace(faces[0], 8);
  });

  it('finds the face in a grey photo too', async () => {
    const image = await loadFixture('astronaut.png');
    const faces = await new YuNetDetector(session).detect(toGray(image.pixels));
    assert.equal(faces.length, 1);
    assertAstronautFace(faces[0], 6);
  });

  it('drops faces under the score threshold', async () => {
    const image = await loadFixture('astronaut.png');
    const faces = await new YuNetDetector(session, { scoreThreshold: 0.99 }).detect(image.pixels);
    assert.deepEqual(faces, []);
  });
});

describe('non-maximum suppression', () => {
  const face = (x: number, y: number, size: number, score: number): DetectedFace => ({
    box: { x, y, width: size, height: size },
    score,
    landmarks: [0, 1, 2, 3, 4].map(() => ({ x, y })) as DetectedFace['landmarks'],
  });

  it('keeps the best of overlapping boxes and every separate one, best first', () => {
    const kept = nonMaximumSuppression([face(10, 10, 40, 0.8), face(12, 11, 40, 0.95), face(200, 200, 30, 0.85)], { nmsThreshold: 0.3, topK: 5000 });
    assert.deepEqual(
      kept.map((f) => f.score),
      [0.95, 0.85],
    );
  });

  it('keeps two boxes whose overlap is below the threshold', () => {
    // Integer boxes 0..40 and 30..70 share 10x40: IoU = 400 / 2800 = 0.14.
    const kept = nonMaximumSuppression([face(0, 0, 40, 0.9), face(30, 0, 40, 0.9)], { nmsThreshold: 0.3, topK: 5000 });
    assert.equal(kept.length, 2);
  });

  it('considers only the topK best candidates', () => {
    const kept = nonMaximumSuppression([face(0, 0, 10, 0.5), face(100, 0, 10, 0.9), face(200, 0, 10, 0.7)], { nmsThreshold: 0.3, topK: 2 });
    assert.deepEqual(
      kept.map((f) => f.score),
      [0.9, 0.7],
    );
  });
});
