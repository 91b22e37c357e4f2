import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyAffine, composeAffine, estimateSimilarity, invertAffine, type Affine } from '../../../src/core/faces/face-geometry.js';
import { faceTemplate } from '../../../src/core/faces/face-template.js';

function assertAffineClose(actual: Affine, expected: Affine, tolerance = 1e-9): void {
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= tolerance, `element ${i}: ${v} vs ${expected[i]}`));
}

describe('similarity transform', () => {
  it('recovers a known rotation, scale and translation exactly from five points', () => {
    const angle = 0.3;
    const scale = 2.5;
    const truth: Affine = [scale * Math.cos(angle), -scale * Math.sin(angle), 40, scale * Math.sin(angle), scale * Math.cos(angle), -12];
    const from = faceTemplate('ffhq', 512);
    const to = from.map((p) => applyAffine(truth, p));
    assertAffineClose(estimateSimilarity(from, to), truth);
  });

  it('is the least-squares fit when the points do not fit exactly', () => {
    const from = [
      { x: 0, y: 0 },
      { x: 10, y: 0 },
    ];
    const to = [
      { x: 0, y: 0 },
      { x: 20, y: 0 },
    ];
    // Two points fit exactly: scale 2, no rotation.
    assertAffineClose(estimateSimilarity(from, to), [2, 0, 0, 0, 2, 0]);
    // A third, inconsistent point pulls the fit: no similarity maps all three.
    const fit = estimateSimilarity([...from, { x: 0, y: 10 }], [...to, { x: 0, y: 0 }]);
    const residual = [...from, { x: 0, y: 10 }].reduce((sum, p, i) => {
      const q = applyAffine(fit, p);
      const t = [...to, { x: 0, y: 0 }][i]!;
      return sum + (q.x - t.x) ** 2 + (q.y - t.y) ** 2;
    }, 0);
    assert.ok(residual > 1 && residual < 200, `residual ${residual}`);
  });

  it('inverts and composes', () => {
    const m: Affine = [1.2, -0.4, 7, 0.4, 1.2, -3];
    assertAffineClose(composeAffine(m, invertAffine(m)), [1, 0, 0, 0, 1, 0], 1e-12);
    const p = { x: 3, y: 5 };
    const q = applyAffine(composeAffine(invertAffine(m), m), p);
    assert.ok(Math.abs(q.x - p.x) < 1e-12 && Math.abs(q.y - p.y) < 1e-12);
  });

  it('refuses coincident landmarks', () => {
    const same = Array.from({ length: 5 }, () => ({ x: 4, y: 4 }));
    assert.throws(() => estimateSimilarity(same, faceTemplate('ffhq', 512)), /coincide/);
  });

});

describe('face templates', () => {
  it('scales the FFHQ template with the crop size', () => {
    assert.deepEqual(faceTemplate('ffhq', 256)[2], { x: 256.63416 / 2, y: 314.01935 / 2 });
  });

  it('has the FFHQ template FaceFusion calls ffhq_512', () => {
    // FaceFusion's face_helper.py, normalised; ours is facexlib's at 512 px.
    const ffhq512 = [
      [0.37691676, 0.46864664],
      [0.62285697, 0.46912813],
      [0.50123859, 0.61331904],
      [0.39308822, 0.725411],
      [0.61150205, 0.72490465],
    ];
    faceTemplate('ffhq', 1).forEach((p, i) => {
      assert.ok(Math.abs(p.x - ffhq512[i]![0]!) < 1e-7 && Math.abs(p.y - ffhq512[i]![1]!) < 1e-7, `point ${i}: ${p.x}, ${p.y}`);
    });
  });

  it('puts the face of arcface_128 about 12 % larger and the eyes about 17 px higher than ffhq at 256', () => {
    const ffhq = faceTemplate('ffhq', 256);
    const arcface = faceTemplate('arcface_128', 256);
    const eyes = (t: { x: number; y: number }[]) => ({ distance: Math.hypot(t[1]!.x - t[0]!.x, t[1]!.y - t[0]!.y), y: (t[0]!.y + t[1]!.y) / 2 });
    const ratio = eyes(arcface).distance / eyes(ffhq).distance;
    assert.ok(ratio > 1.1 && ratio < 1.14, `eye distance ratio ${ratio.toFixed(3)}`);
    const higher = eyes(ffhq).y - eyes(arcface).y;
    assert.ok(higher > 16 && higher < 18, `eyes ${higher.toFixed(1)} px higher`);
    assert.deepEqual(arcface[2], { x: 0.50019687 * 256, y: 0.56044219 * 256 });
  });
});
