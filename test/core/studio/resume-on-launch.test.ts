import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { StudioRuntime } from '../../../src/core/studio/studio-runtime.js';
import { DurableJob } from '../../../src/core/restore/durable-job.js';
import { ProcessOwner } from '../../../src/core/store/process-owner.js';
import { openDatabase } from '../../../src/core/store/database.js';
import { JobStore } from '../../../src/core/store/job-store.js';
import { photo } from '../../helpers/engine.js';
import { tempDir } from '../../helpers/images.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

test('on launch, a restore job left unfinished by a killed process is queued again and completed', { timeout: 120_000 }, async () => {
  const home = tempDir('heirloom-launch-');
  const out = join(home, 'out');
  mkdirSync(join(home, 'in'));
  mkdirSync(out);
  const inputs = await Promise.all(
    [0, 30].map(async (left, i) => {
      const path = join(home, 'in', `p${i}.png`);
      await sharp(photo('chelsea.png')).extract({ left: 100 + left, top: 100, width: 24, height: 24 }).png().toFile(path);
      return path;
    }),
  );

  // What a SIGKILLed run leaves: the job and its files in the store, owned by a dead process.
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.on('exit', r));
  const db = openDatabase(join(home, 'heirloom.db'));
  const killed = await DurableJob.open({
    jobs: new JobStore(db),
    owner: new ProcessOwner(undefined, undefined, child.pid!, 'tgone'),
    inputs,
    fingerprint: 'fp-launch',
    settings: { inputs, outDir: out, modelId: 'realesr-general-x4v3', scale: 1, tile: 32, batch: 1, format: 'png' },
    modelId: 'realesr-general-x4v3',
    deviceId: 'cpu',
    overwrite: false,
  });
  while (await killed.next()); // every photo recorded, as a run reaches them
  db.close();

  const runtime = new StudioRuntime({ home, bundledModelsDir: join(repo, 'models'), host: 'browser', version: 'test', imageUrl: (id, v) => `img:${id}/${v}` });
  try {
    const deadline = Date.now() + 10_000;
    let queued = 0;
    while (Date.now() < deadline) {
      const queue = await runtime.studio.dispatch('jobs:queue', {});
      assert.ok(queue.ok, JSON.stringify(queue));
      queued = (queue.value as { items: unknown[] }).items.length;
      if (queued > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(queued, 1, 'the interrupted job is back in the queue');
    await runtime.studio.whenIdle();
    for (const input of inputs) assert.ok(existsSync(join(out, input.split('/').pop()!)), `${input} restored after launch`);
    const history = new JobStore(runtime.db).getJob(killed.id)!;
    assert.deepEqual(history.files.map((f) => f.status), ['done', 'done']);
    assert.equal(history.status, 'finished');
  } finally {
    await runtime.dispose();
  }
});
