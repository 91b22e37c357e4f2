import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RestoreRequest } from '../../../src/core/restore/restore-engine.js';
import type { JobRecord } from '../../../src/core/store/job-store.js';
import { MAX_JOB_INPUTS } from '../../../src/shared/contract.js';
import { photo } from '../../helpers/engine.js';
import { tempDir } from '../../helpers/images.js';
import { studioOverHistory } from '../../helpers/studio-over-history.js';

/** A finished job of `count` photos in `folder`, as the history stores it (the folder was added whole). */
function folderJob(folder: string, count: number): JobRecord {
  const files = Array.from({ length: count }, (_, position) => ({ position, inputPath: join(folder, `p${position}.png`), outputPath: join(folder, '..', 'out', `p${position}.png`), status: 'done' as const, errorCode: null, errorMessage: null, width: 4, height: 4, ms: 1 }));
  return { id: 'job-big', kind: 'restore', status: 'finished', settings: { inputs: [folder], outDir: join(folder, '..', 'out'), modelId: 'none' }, modelId: 'none', deviceId: 'cpu', createdAt: 0, finishedAt: 1, succeeded: count, failed: 0, skipped: 0, ms: 1, files, fileCount: count } as unknown as JobRecord;
}

test('a job of more photos than a request can name is re-run (and repaired again) from the folder it was given', async () => {
  const home = tempDir('heirloom-rerun-big-');
  const folder = join(home, 'box');
  mkdirSync(folder);
  copyFileSync(photo('chelsea.png'), join(folder, 'p0.png'));
  const requests: RestoreRequest[] = [];
  for (const count of [3, MAX_JOB_INPUTS + 1]) {
    const job = folderJob(folder, count);
    const studio = studioOverHistory(home, job, requests);
    try {
      const rerun = await studio.dispatch('jobs:rerun', { jobId: job.id });
      assert.ok(rerun.ok, JSON.stringify(rerun));
      await studio.whenIdle();
      // Up to the limit the very photos it restored; past it the folder, which the engine lists again.
      assert.deepEqual(requests.at(-1)?.inputs, count <= MAX_JOB_INPUTS ? job.files.map((f) => f.inputPath) : [folder]);
      // Repair again finds the photo among the job's photos, not among the request's inputs.
      const { width, height } = await sharp(join(folder, 'p0.png')).metadata();
      const mask = await sharp({ create: { width: width!, height: height!, channels: 3, background: '#000' } }).png().toBuffer();
      const again = await studio.dispatch('jobs:repair-again', { jobId: job.id, input: join(folder, 'p0.png'), maskPng: mask.toString('base64') });
      assert.ok(again.ok, JSON.stringify(again));
      const stranger = await studio.dispatch('jobs:repair-again', { jobId: job.id, input: photo('coins.png'), maskPng: mask.toString('base64') });
      assert.ok(!stranger.ok && stranger.error.code === 'NOT_FOUND', 'a photo that is not one of the job\'s');
      assert.deepEqual((await (async () => (await studio.whenIdle(), requests.at(-1)?.inputs))()), [join(folder, 'p0.png')]);
      await studio.whenIdle();
    } finally {
      await studio.dispose();
    }
  }
  // Named one by one (a CLI job of more than 10,000 files): the studio says what to do instead.
  const named = folderJob(folder, MAX_JOB_INPUTS + 1);
  named.settings['inputs'] = named.files.map((f) => f.inputPath);
  const studio = studioOverHistory(home, named, requests);
  try {
    const refused = await studio.dispatch('jobs:rerun', { jobId: named.id });
    assert.ok(!refused.ok && refused.error.code === 'USAGE' && /named one by one.*heirloom restore/.test(refused.error.message), JSON.stringify(refused));
  } finally {
    await studio.dispose();
  }
  rmSync(home, { recursive: true, force: true });
});
