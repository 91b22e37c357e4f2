import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restoreFingerprint } from '../../../src/core/restore/restore-fingerprint.js';

const plain = { outDir: '/tmp/out', modelId: 'realesr-general-x4v3', scale: 4 };

test('the repair stages are part of "the same work": a repaired photo is not the plain restore of it', () => {
  const variants = [
    plain,
    { ...plain, scratches: true },
    { ...plain, fading: true },
    { ...plain, scratches: true, fading: true },
    { ...plain, scratches: true, maskFile: '/tmp/a.mask.png' },
    { ...plain, scratches: true, maskFile: '/tmp/b.mask.png' },
    { ...plain, scratches: true, fading: true, facesIfInstalled: true },
    { ...plain, fading: true, fadingStrength: 60 },
    { ...plain, fading: true, fadingStrength: 80 },
  ];
  const prints = variants.map(restoreFingerprint);
  assert.equal(new Set(prints).size, variants.length, prints.join(' '));
});

test('fingerprints recorded before the repair stages existed stay valid: stages switched off change nothing', () => {
  // Recorded by the version before: a folder restored then is not restored again after an update.
  assert.equal(restoreFingerprint(plain), '9fb9e21907dc0f05097d2774410bca8e');
  assert.equal(restoreFingerprint({ ...plain, scratches: false, fading: false, facesIfInstalled: false }), '9fb9e21907dc0f05097d2774410bca8e');
  assert.equal(restoreFingerprint({ outDir: '/tmp/out', modelId: 'none', scale: 1, faces: { modelId: 'codeformer', weight: 0.5 } }), '3214f17aca6201a29ef681b4c4d756c9');
  // A mask file means nothing without the repair stage that reads it, nor a strength without fading.
  assert.equal(restoreFingerprint({ ...plain, maskFile: '/tmp/a.mask.png' }), restoreFingerprint(plain));
  assert.equal(restoreFingerprint({ ...plain, fadingStrength: 60 }), restoreFingerprint(plain));
});
