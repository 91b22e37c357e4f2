import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyAffine, composeAffine, estimateSimilarity, invertAffine, type Affine } from '../../../src/core/faces/face-geometry.js';
import { faceTemplate } from '../../../src/core/faces/ffhq-template.js';

function assertAffineClose(actual: Affine, expected: Affine, tolerance = 1e-9): void {
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= tolerance, `element ${i}: ${v} vs ${expected[i]}`));
}

describe('similarity transform', () => {
  it('recovers a known rotation, scale and translation exactly from five points', () => {
    const angle = 0.3;
    const scale = 2.5;
    const truth: Affine = [scale * Math.cos(angle), -scale * Math.sin(angle), 40, scale * Math.sin(angle), scale * Math.cos(angle), -12];
    const from = faceTemplate(512);
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
    assert.throws(() => estimateSimilarity(same, faceTemplate(512)), /coincide/);
  });

  it('scales the FFHQ template with the crop size', () => {
    assert.deepEqual(faceTemplate(256)[2], { x: 256.63416 / 2, y: 314.01935 / 2 });
  });
});
