import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { testEngine } from '../../helpers/engine.js';
import { tempDir, writeTestPhoto } from '../../helpers/images.js';
import { fakeRunner } from '../../helpers/fake-model.js';
import type { SessionPool } from '../../../src/core/inference/session-pool.js';
import { cpuOnly, type DeviceResolver } from '../../../src/core/devices/device-resolver.js';
import type { RestoreEvent } from '../../../src/shared/events.js';

/**
 * A session pool whose session opens only when the test says so (or after 10 s): a stand-in
 * 4x model on the inference "thread", so the order of opening and decoding is what is tested.
 */
function gatedPool(order: string[], fail?: Error) {
  let open: () => void = () => {};
  let opening: Promise<unknown> | undefined;
  const run = fakeRunner(4);
  const session = {
    alive: true,
    run: async (inputs: Record<string, { data: Float32Array; dims: readonly number[] }>) => {
      const input = Object.values(inputs)[0]!;
      return { output: { data: await run(input.data, input.dims as [number, number, number, number]), dims: [] } };
    },
    dispose: async () => {},
  };
  const pool = {
    get: () => {
      opening ??= new Promise((resolve, reject) => {
        order.push('session opening');
        open = () => {
          order.push('session open');
          if (fail) reject(fail);
          else resolve(session);
        };
        setTimeout(() => open(), 10_000).unref();
      });
      return opening;
    },
    dispose: async () => {},
  };
  return { pool: pool as unknown as SessionPool, open: () => open() };
}

test('the session opens while the first photo decodes: decoding does not wait for it', async () => {
  const dir = tempDir();
  const file = await writeTestPhoto(join(dir, 'one.png'), 40, 30);
  const order: string[] = [];
  const gate = gatedPool(order);
  const t = testEngine(join(dir, 'home'), { sessions: gate.pool });
  const events: RestoreEvent[] = [];
  try {
    const summary = await t.engine.run({ inputs: [file], outDir: join(dir, 'out'), modelId: 'realesr-general-x4v3', tile: 0, batch: 'auto' }, (e) => events.push(e), {
      onPlan: () => {
        // The photo is decoded and cut into tiles: only now may the session finish opening.
        order.push('photo decoded');
        gate.open();
      },
    });
    assert.equal(summary.succeeded, 1, JSON.stringify(events.filter((e) => e.type === 'file-failed' || e.type === 'warning')));
  } finally {
    await t.dispose();
  }
  assert.deepEqual(order, ['session opening', 'photo decoded', 'session open']);
  const done = events.find((e) => e.type === 'file-done');
  assert.ok(done && done.type === 'file-done' && done.width === 160 && done.height === 120);
});

test('a session that cannot open still fails the job with its error, and drops a cached device discovery', async () => {
  const dir = tempDir();
  const file = await writeTestPhoto(join(dir, 'one.png'), 40, 30);
  const order: string[] = [];
  const gate = gatedPool(order, new Error('CUDA failure 100: no CUDA-capable device is detected'));
  let invalidated = 0;
  const devices: DeviceResolver = { resolve: (request) => cpuOnly.resolve(request), invalidate: () => invalidated++ };
  const t = testEngine(join(dir, 'home'), { sessions: gate.pool, devices });
  try {
    await assert.rejects(
      t.engine.run({ inputs: [file], outDir: join(dir, 'out'), modelId: 'realesr-general-x4v3', tile: 0, batch: 'auto' }, () => {}, { onPlan: () => gate.open() }),
      /no CUDA-capable device/,
    );
  } finally {
    await t.dispose();
  }
  assert.equal(invalidated, 1);
});

test('on the CPU batch 1 stays what is chosen, even where a loaded machine once measured a batch of 2 faster', async () => {
  const dir = tempDir();
  const files = [await writeTestPhoto(join(dir, 'a.png'), 40, 30, 1), await writeTestPhoto(join(dir, 'b.png'), 40, 30, 2)];
  const order: string[] = [];
  const gate = gatedPool(order);
  const t = testEngine(join(dir, 'home'), { sessions: gate.pool });
  // What a tuning under heavy load left: batch 2 "10 % faster" at tile 192, and every shape up to 640 measured.
  const points = [64, 128, 192, 256, 384, 512, 640].map((tile) => ({ tile, batch: 1, usPerPixel: 20 }));
  t.calibration.update('cpu', 'realesr-general-x4v3', 'fp32', { tunedTile: 192, tunedBatch: 2, tuning: [...points, { tile: 192, batch: 2, usPerPixel: 18 }] });
  const events: RestoreEvent[] = [];
  try {
    const summary = await t.engine.run({ inputs: files, outDir: join(dir, 'out'), modelId: 'realesr-general-x4v3', tile: 'auto', batch: 'auto' }, (e) => events.push(e), { onPlan: () => gate.open() });
    assert.equal(summary.succeeded, 2);
  } finally {
    await t.dispose();
  }
  const inferring = events.filter((e) => e.type === 'progress' && e.stage === 'inferring');
  assert.equal(inferring.length, 2, 'each photo whole, in one run');
  assert.ok(inferring.every((e) => e.type === 'progress' && e.batchSize === 1 && e.tiles === 1), JSON.stringify(inferring));
});
