import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { StudioRuntime } from '../../../src/core/studio/studio-runtime.js';
import type { HistoryJob, QueueSnapshot } from '../../../src/shared/contract-views.js';
import { photo } from '../../helpers/engine.js';
import { tempDir } from '../../helpers/images.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

function runtime(home: string): StudioRuntime {
  return new StudioRuntime({ home, bundledModelsDir: join(repo, 'models'), host: 'browser', version: 'test', imageUrl: (id, v) => `img:${id}/${v}` });
}

async function call<T>(rt: StudioRuntime, channel: string, payload: unknown): Promise<T> {
  const result = await rt.studio.dispatch(channel as never, payload as never);
  assert.ok(result.ok, JSON.stringify(result));
  return result.value as T;
}

test('a job waiting in the studio queue survives a restart: in the history as queued, back in the queue after, then restored', { timeout: 120_000 }, async () => {
  const home = tempDir('heirloom-queue-');
  mkdirSync(join(home, 'in'));
  const input = join(home, 'in', 'cat.png');
  await sharp(photo('chelsea.png')).resize(24, 16).png().toFile(input);
  const out = join(home, 'out');

  const first = runtime(home);
  try {
    await call(first, 'jobs:pause', {});
    await call(first, 'jobs:start', { inputs: [input], outDir: out, tile: 32, batch: 1, format: 'png' });
    const history = await call<HistoryJob[]>(first, 'jobs:history', {});
    assert.deepEqual(history.map((j) => j.status), ['queued'], 'in the database before the app is closed');
  } finally {
    await first.dispose();
  }

  const second = runtime(home);
  try {
    let snapshot: QueueSnapshot | undefined;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      snapshot = await call<QueueSnapshot>(second, 'jobs:queue', {});
      if (snapshot.items.length > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(snapshot?.items.length, 1, 'the queued job is back in the queue');
    assert.deepEqual(snapshot!.items[0]!.files.map((f) => f.path), [input]);
    assert.equal(snapshot!.items[0]!.settings.outDir, out);
    await second.studio.whenIdle();
    assert.ok(existsSync(join(out, 'cat.png')), 'and it ran');
    const history = await call<HistoryJob[]>(second, 'jobs:history', {});
    assert.deepEqual(history.map((j) => j.status), ['finished'], 'the queued record gave way to the job that ran');
  } finally {
    await second.dispose();
  }
});

test('a job running when the studio closes comes back as interrupted and is resumed on the next launch', { timeout: 120_000 }, async () => {
  const home = tempDir('heirloom-queue-');
  mkdirSync(join(home, 'in'));
  const inputs = await Promise.all(
    [0, 1, 2].map(async (i) => {
      const path = join(home, 'in', `p${i}.png`);
      await sharp(photo('chelsea.png')).extract({ left: 60 * i, top: 40, width: 160, height: 120 }).png().toFile(path);
      return path;
    }),
  );
  const out = join(home, 'out');
  const first = runtime(home);
  try {
    await call(first, 'jobs:start', { inputs, outDir: out, tile: 32, batch: 1, format: 'png' });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !(await call<QueueSnapshot>(first, 'jobs:queue', {})).items[0]?.jobId) await new Promise((r) => setTimeout(r, 20));
  } finally {
    await first.dispose();
  }
  const second = runtime(home);
  try {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await call<QueueSnapshot>(second, 'jobs:queue', {})).items.length === 0) await new Promise((r) => setTimeout(r, 50));
    await second.studio.whenIdle();
    for (const input of inputs) assert.ok(existsSync(join(out, input.split('/').pop()!)), `${input} restored after the restart`);
    const history = await call<HistoryJob[]>(second, 'jobs:history', {});
    assert.equal(history.length, 1);
    assert.equal(history[0]!.status, 'finished');
  } finally {
    await second.dispose();
  }
});

test('an output folder that cannot be created fails its job at once with OUTPUT_NOT_WRITABLE, and the queue goes on', { timeout: 120_000 }, async () => {
  const home = tempDir('heirloom-queue-');
  mkdirSync(join(home, 'in'));
  const input = join(home, 'in', 'cat.png');
  await sharp(photo('chelsea.png')).resize(24, 16).png().toFile(input);
  const rt = runtime(home);
  try {
    const started = Date.now();
    await call(rt, 'jobs:start', { inputs: [input], outDir: '/proc/x', tile: 32, batch: 1 });
    await call(rt, 'jobs:start', { inputs: [input], outDir: join(home, 'out'), tile: 32, batch: 1, format: 'png' });
    await rt.studio.whenIdle();
    const items = (await call<QueueSnapshot>(rt, 'jobs:queue', {})).items;
    assert.deepEqual(items.map((i) => i.state), ['failed', 'finished']);
    assert.equal(items[0]!.error?.code, 'OUTPUT_NOT_WRITABLE');
    assert.ok(existsSync(join(home, 'out', 'cat.png')));
    const history = await call<HistoryJob[]>(rt, 'jobs:history', {});
    assert.deepEqual(history.map((j) => j.status).sort(), ['failed', 'finished'], 'the job that could not run is in the history as failed');
    process.stdout.write(`# studio: /proc/x failed and the next job finished ${Date.now() - started} ms after they were added\n`);
  } finally {
    await rt.dispose();
  }
});

test('History\'s Resume continues a cancelled job with its own settings: the finished photos are kept, the rest run', { timeout: 120_000 }, async () => {
  const home = tempDir('heirloom-queue-');
  mkdirSync(join(home, 'in'));
  const inputs = await Promise.all(
    [0, 1, 2].map(async (i) => {
      const path = join(home, 'in', `p${i}.png`);
      await sharp(photo('chelsea.png')).extract({ left: 60 * i, top: 40, width: 96, height: 72 }).png().toFile(path);
      return path;
    }),
  );
  const out = join(home, 'out');
  const rt = runtime(home);
  try {
    const ticket = await call<{ queueId: string }>(rt, 'jobs:start', { inputs, outDir: out, tile: 32, batch: 1, format: 'png' });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !(await call<QueueSnapshot>(rt, 'jobs:queue', {})).items[0]?.jobId) await new Promise((r) => setTimeout(r, 20));
    await call(rt, 'jobs:cancel', { queueId: ticket.queueId });
    await rt.studio.whenIdle();
    const [cancelled] = await call<HistoryJob[]>(rt, 'jobs:history', {});
    assert.equal(cancelled!.status, 'cancelled');
    const again = await call<{ files: number }>(rt, 'jobs:continue', { jobId: cancelled!.id });
    assert.equal(again.files, inputs.length - cancelled!.succeeded, 'only the photos not restored yet');
    const twice = await rt.studio.dispatch('jobs:continue', { jobId: cancelled!.id });
    assert.ok(!twice.ok && twice.error.code === 'USAGE' && /already in the queue/.test(twice.error.message));
    await rt.studio.whenIdle();
    for (const input of inputs) assert.ok(existsSync(join(out, input.split('/').pop()!)), `${input} restored`);
    const history = await call<HistoryJob[]>(rt, 'jobs:history', {});
    assert.deepEqual(history.map((j) => [j.id, j.status]), [[cancelled!.id, 'finished']], 'the same job, now finished');
    const finished = await rt.studio.dispatch('jobs:continue', { jobId: cancelled!.id });
    assert.ok(!finished.ok && finished.error.code === 'USAGE' && /nothing to resume/.test(finished.error.message));
  } finally {
    await rt.dispose();
  }
});
