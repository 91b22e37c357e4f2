import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RestoreRequest } from '../../../src/core/restore/restore-engine.js';
import type { QueueSnapshot } from '../../../src/shared/contract.js';
import { photo } from '../../helpers/engine.js';
import { tempDir } from '../../helpers/images.js';
import { studioOverHistory } from '../../helpers/studio-over-history.js';
import { restoreFingerprint } from '../../../src/core/restore/restore-fingerprint.js';
import { resumeRequest } from '../../../src/core/restore/resume-request.js';
import type { JobRecord } from '../../../src/core/store/job-store.js';
import { JobStartRequestSchema } from '../../../src/shared/contract.js';
import { DEFAULT_FACE_FIDELITY } from '../../../src/shared/face-settings.js';

/** A finished job as the history stores it, with these recorded settings. */
function recordedJob(settings: Record<string, unknown>): JobRecord {
  return {
    id: 'job-1',
    kind: 'restore',
    status: 'interrupted',
    settings: { inputs: ['/photos/a.png'], outDir: '/out', modelId: 'realesr-general-x4v3', ...settings },
    modelId: 'realesr-general-x4v3',
    deviceId: 'cpu',
    createdAt: 0,
    finishedAt: null,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    ms: null,
    files: [],
    fileCount: 0,
  };
}

describe('face settings in the job record, the contract and the fingerprint', () => {
  it('resumes a job with the face weight and fidelity it was recorded with', () => {
    const request = resumeRequest(recordedJob({ faces: { modelId: 'codeformer', weight: 0.6, fidelity: 0.9 } }));
    assert.deepEqual(request.faces, { modelId: 'codeformer', weight: 0.6, fidelity: 0.9 });
    // Recorded before --face-fidelity existed: no fidelity, so the face pass takes the default.
    assert.deepEqual(resumeRequest(recordedJob({ faces: { modelId: 'codeformer', weight: 0.6 } })).faces, { modelId: 'codeformer', weight: 0.6 });
  });

  it('takes face settings in a studio job request, fidelity and weight from 0 to 1', () => {
    const base = { inputs: ['/photos'] };
    assert.deepEqual(JobStartRequestSchema.parse({ ...base, faces: { fidelity: 0.25 } }).faces, { fidelity: 0.25 });
    assert.equal(JobStartRequestSchema.safeParse({ ...base, faces: { fidelity: 1.5 } }).success, false);
    assert.equal(JobStartRequestSchema.safeParse({ ...base, faces: { weight: -0.1 } }).success, false);
    assert.equal(JobStartRequestSchema.safeParse({ ...base, faces: { fidelty: 0.5 } }).success, false, 'a misspelt field is refused');
  });

  it('makes new work of a changed fidelity, and keeps the fingerprints recorded before it existed', () => {
    const settings = { outDir: '/out', modelId: 'realesr-general-x4v3', scale: 4 };
    const at = (fidelity?: number) => restoreFingerprint({ ...settings, faces: { modelId: 'codeformer', weight: 0.7, ...(fidelity === undefined ? {} : { fidelity }) } });
    assert.notEqual(at(0.9), at(DEFAULT_FACE_FIDELITY));
    assert.equal(at(), at(DEFAULT_FACE_FIDELITY));
    // The canonical form of version 1 before --face-fidelity: a watch folder with faces must not redo its photos.
    const before = { v: 1, outDir: resolve('/out'), modelId: 'realesr-general-x4v3', scale: 4, format: 'keep', quality: null, stripMetadata: false, faces: { modelId: 'codeformer', weight: 0.7 } };
    assert.equal(at(), createHash('sha256').update(JSON.stringify(before)).digest('hex').slice(0, 32));
  });

  it('carries the face settings of a studio job to the engine, into its settings view, and into a re-run', async () => {
    const home = tempDir('heirloom-face-settings-');
    const requests: RestoreRequest[] = [];
    const recorded = recordedJob({ inputs: [photo('chelsea.png')], outDir: join(home, 'out'), faces: { modelId: 'codeformer', weight: 0.6, fidelity: 0.9 } });
    const studio = studioOverHistory(home, recorded, requests);
    try {
      const started = await studio.dispatch('jobs:start', { inputs: [photo('chelsea.png')], faces: { weight: 0.9, fidelity: 0.3 } });
      assert.ok(started.ok, JSON.stringify(started));
      await studio.whenIdle();
      assert.deepEqual(requests[0]?.faces, { weight: 0.9, fidelity: 0.3 });
      const queue = await studio.dispatch('jobs:queue', {});
      assert.ok(queue.ok);
      assert.deepEqual((queue.value as QueueSnapshot).items[0]?.settings.faces, { weight: 0.9, fidelity: 0.3 });

      assert.ok((await studio.dispatch('jobs:rerun', { jobId: recorded.id })).ok);
      await studio.whenIdle();
      assert.deepEqual(requests[1]?.faces, { modelId: 'codeformer', weight: 0.6, fidelity: 0.9 });
    } finally {
      await studio.dispose();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
