import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { ModelSession, type InputTensorData } from '../../../src/core/inference/ort-backend.js';
import { SessionPool } from '../../../src/core/inference/session-pool.js';
import { ThreadedSession } from '../../../src/core/inference/threaded-session.js';
import { HeirloomError } from '../../../src/shared/errors.js';

const MODEL = fileURLToPath(new URL('../../../models/realesr-general-x4v3/model.onnx', import.meta.url));

function photoLike(side: number): Record<string, InputTensorData> {
  const data = new Float32Array(3 * side * side);
  for (let i = 0; i < data.length; i++) data[i] = 0.5 + 0.4 * Math.sin(i * 0.37) * Math.cos(i * 0.011);
  return { input: { data, dims: [1, 3, side, side] } };
}

/** setInterval ticks that got through while `work` was in flight. */
async function ticksDuring(work: () => Promise<unknown>): Promise<number> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return ticks;
}

describe('ThreadedSession (the model on its own inference thread)', () => {
  let threaded: ThreadedSession;
  let inThread: ModelSession;

  before(async () => {
    threaded = await ThreadedSession.open(MODEL, { provider: 'cpu' });
    inThread = await ModelSession.open(MODEL, { provider: 'cpu' });
  });

  after(async () => {
    await threaded.dispose();
    await inThread.dispose();
  });

  it('gives exactly what the runtime gives on the calling thread, and names the same inputs and outputs', async () => {
    assert.deepEqual(threaded.inputNames, inThread.inputNames);
    assert.deepEqual(threaded.outputs, inThread.outputs);
    const feed = photoLike(24);
    const a = (await threaded.run(feed)).output!;
    const b = (await inThread.run(feed)).output!;
    assert.deepEqual(a.dims, [1, 3, 96, 96]);
    assert.deepEqual(a.dims, b.dims);
    assert.deepEqual(a.data, b.data);
    assert.equal(feed.input!.data.length, 3 * 24 * 24, 'the caller keeps its input');
  });

  it('a handed-over input moves to the thread without a copy (the executor never reuses a batch), with the same result', async () => {
    const kept = photoLike(24);
    const handed = photoLike(24);
    const a = (await threaded.run(kept)).output!;
    const b = (await threaded.run(handed, { handOver: true })).output!;
    assert.deepEqual(a.data, b.data);
    assert.equal(kept.input!.data.length, 3 * 24 * 24, 'copied by default: the caller keeps its input');
    assert.equal(handed.input!.data.length, 0, 'handed over: the buffer moved to the inference thread');
    // A view into a larger buffer is copied even when handed over: moving it would take the rest along.
    const shared = new Float32Array(3 * 24 * 24 * 2);
    const view = { input: { data: shared.subarray(0, 3 * 24 * 24), dims: [1, 3, 24, 24] } };
    await threaded.run(view, { handOver: true });
    assert.equal(shared.length, 3 * 24 * 24 * 2);
  });

  it('keeps the main event loop free while the model runs (the calling thread is blocked without it)', async () => {
    const feed = photoLike(128);
    await threaded.run(feed);
    await inThread.run(feed);
    const free = await ticksDuring(() => threaded.run(feed));
    const blocked = await ticksDuring(() => inThread.run(feed));
    assert.ok(free >= 10, `timers ran ${free} times during a threaded run`);
    assert.ok(blocked <= 2, `timers ran ${blocked} times during a run on the calling thread`);
  });

  it("passes the runtime's own error through, and the session stays usable", async () => {
    await assert.rejects(threaded.run({ input: { data: new Float32Array(10), dims: [1, 3, 2, 2] } }), (error: Error) => {
      assert.ok(!(error instanceof HeirloomError), 'not mistaken for a stopped thread');
      assert.match(error.message, /size|dimension|shape|length/i);
      return true;
    });
    assert.ok(threaded.alive);
    assert.deepEqual((await threaded.run(photoLike(8))).output!.dims, [1, 3, 32, 32]);
  });

  it('runs several sessions on several threads at once, each exact', async () => {
    const sessions = await Promise.all([0, 1, 2].map(() => ThreadedSession.open(MODEL, { provider: 'cpu', threads: 1 })));
    try {
      const feeds = [16, 20, 24].map(photoLike);
      const outputs = await Promise.all(sessions.map((s, i) => s.run(feeds[i]!)));
      for (const [i, feed] of feeds.entries()) assert.deepEqual(outputs[i]!.output!.data, (await inThread.run(feed)).output!.data);
    } finally {
      await Promise.all(sessions.map((s) => s.dispose()));
    }
  });
});

describe('a stopped inference thread', () => {
  it('fails the next run with INFERENCE_FAILED, and the pool opens a fresh thread', async () => {
    const pool = new SessionPool();
    try {
      const session = await pool.get(MODEL, { provider: 'cpu', threads: 1 });
      await session.run(photoLike(8));
      // What a thread that died between runs looks like from the main thread. (Never while a
      // model runs: the runtime's native code aborts the process if its thread is torn down.)
      const worker = (session as unknown as { worker: Worker }).worker;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      await worker.terminate();
      await exited;
      assert.equal(session.alive, false);
      await assert.rejects(session.run(photoLike(8)), (error: HeirloomError) => {
        assert.equal(error.code, 'INFERENCE_FAILED');
        assert.match(error.message, /inference thread .* stopped/);
        return true;
      });
      const fresh = await pool.get(MODEL, { provider: 'cpu', threads: 1 });
      assert.notEqual(fresh, session);
      assert.deepEqual((await fresh.run(photoLike(8))).output!.dims, [1, 3, 32, 32]);
    } finally {
      await pool.dispose();
    }
  });

  it('dispose waits for the runs already asked for, then ends the thread', async () => {
    const session = await ThreadedSession.open(MODEL, { provider: 'cpu', threads: 1 });
    const running = session.run(photoLike(64));
    await session.dispose();
    assert.deepEqual((await running).output!.dims, [1, 3, 256, 256]);
    assert.equal(session.alive, false);
  });

  it('an idle thread does not keep the process alive', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('fixtures/run-and-leave.ts', import.meta.url)), MODEL], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'ran 1x3x32x32');
  });
});
