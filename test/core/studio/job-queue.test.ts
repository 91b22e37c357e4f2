import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import type { RestoreEvent } from '../../../src/shared/events.js';
import { HeirloomError } from '../../../src/shared/errors.js';
import { JobQueue } from '../../../src/core/studio/job-queue.js';
import type { RestoreRunner } from '../../../src/core/studio/ports.js';
import type { RestoreRequest, RunControls } from '../../../src/core/restore/restore-engine.js';

/**
 * A runner that behaves like the engine towards its caller: job-started, then per photo a
 * pause check (the executor's gate), progress and file-done, until aborted. Each photo waits
 * for the test to release it, so the test decides when work happens.
 */
class SteppedRunner implements RestoreRunner {
  readonly started: string[] = [];
  private releases: Array<() => void> = [];

  async run(request: RestoreRequest, emit: (e: RestoreEvent) => void, controls: RunControls) {
    const jobId = `job-${request.outDir}`;
    this.started.push(jobId);
    if (request.modelId === 'missing') throw new HeirloomError('MODEL_NOT_FOUND', 'No model with id "missing" is installed.');
    emit({ type: 'job-started', jobId, files: request.inputs.length, model: 'm', device: 'cpu' });
    let succeeded = 0;
    let cancelled = false;
    for (const file of request.inputs) {
      await controls.pause?.wait(controls.signal);
      if (controls.signal?.aborted) {
        cancelled = true;
        break;
      }
      emit({ type: 'progress', jobId, file, stage: 'inferring', value: 0.5, tile: 1, tiles: 2, batchSize: 2, recommendedBatch: 3, tileSize: 128, device: 'cpu', memory: { budgetBytes: 100, estimateBytes: 40, freeBytes: 125 } });
      await new Promise<void>((resolve) => {
        this.releases.push(resolve);
        controls.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      if (controls.signal?.aborted) {
        cancelled = true;
        break;
      }
      succeeded++;
      emit({ type: 'file-done', jobId, file, output: `${request.outDir}/${basename(file)}`, width: 8, height: 8, ms: 5 });
    }
    emit({ type: 'job-finished', jobId, succeeded, failed: 0, skipped: 0, cancelled, ms: 10 });
    return { jobId, succeeded, failed: 0, skipped: 0, cancelled, ms: 10 };
  }

  /** Lets the photo being worked on finish. */
  release(): void {
    this.releases.shift()?.();
  }

  get waiting(): number {
    return this.releases.length;
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await tick();
  }
  assert.fail(`timed out waiting until ${what}`);
}

function setup() {
  const runner = new SteppedRunner();
  const events: RestoreEvent[] = [];
  let changes = 0;
  const queue = new JobQueue({
    runner,
    photoRef: (path) => ({ path, name: basename(path), thumbnailUrl: `t:${path}`, imageUrl: `i:${path}` }),
    onEvent: (e) => events.push(e),
    onChange: () => changes++,
  });
  const add = (outDir: string, files: string[], modelId = 'm') => queue.enqueue({ request: { inputs: files, outDir, modelId }, settings: { outDir, modelId }, files });
  return { runner, events, queue, add, changes: () => changes };
}

describe('JobQueue', () => {
  it('runs one job at a time, in order, and tracks every photo from the engine events', async () => {
    const { runner, queue, add, events } = setup();
    const first = add('/out1', ['/a.jpg', '/b.jpg']);
    const second = add('/out2', ['/c.jpg']);
    await until(() => runner.waiting === 1, 'the first photo runs');
    assert.deepEqual(runner.started, ['job-/out1']);
    let snap = queue.snapshot();
    assert.equal(snap.items.find((i) => i.id === first.id)!.state, 'running');
    assert.equal(snap.items.find((i) => i.id === second.id)!.state, 'queued');
    const running = snap.items[0]!.files[0]!;
    assert.equal(running.status, 'running');
    assert.equal(running.stage, 'inferring');
    assert.deepEqual(snap.devices.cpu && { batch: snap.devices.cpu.batchSize, recommended: snap.devices.cpu.recommendedBatch, tile: snap.devices.cpu.tileSize, budget: snap.devices.cpu.memory?.budgetBytes }, { batch: 2, recommended: 3, tile: 128, budget: 100 });

    runner.release();
    await until(() => runner.waiting === 1 && queue.snapshot().items[0]!.files[1]!.status === 'running', 'the second photo runs');
    runner.release();
    await until(() => runner.started.length === 2 && runner.waiting === 1, 'the second job starts after the first');
    runner.release();
    await queue.whenIdle();

    snap = queue.snapshot();
    assert.deepEqual(snap.items.map((i) => i.state), ['finished', 'finished']);
    const done = snap.items[0]!.files[0]!;
    assert.equal(done.status, 'done');
    assert.equal(done.output?.path, '/out1/a.jpg');
    assert.equal(done.output?.thumbnailUrl, 't:/out1/a.jpg');
    assert.equal(snap.items[0]!.summary?.succeeded, 2);
    assert.ok(events.some((e) => e.type === 'progress' && e.etaMs !== undefined), 'progress carries the job ETA');
  });

  it('pause holds the running job at its next photo and keeps the next job waiting; resume continues both', async () => {
    const { runner, queue, add } = setup();
    const first = add('/out1', ['/a.jpg', '/b.jpg']);
    add('/out2', ['/c.jpg']);
    await until(() => runner.waiting === 1, 'the first photo runs');
    queue.pause();
    assert.equal(queue.snapshot().paused, true);
    assert.equal(queue.snapshot().items.find((i) => i.id === first.id)!.state, 'paused');
    runner.release(); // the photo on the device finishes...
    await until(() => queue.snapshot().items[0]!.files[0]!.status === 'done', 'the current photo finishes');
    for (let i = 0; i < 20; i++) await tick();
    // ...but the next one does not start, and neither does the next job.
    assert.equal(runner.waiting, 0);
    assert.equal(queue.snapshot().items[0]!.files[1]!.status, 'queued');
    assert.deepEqual(runner.started, ['job-/out1']);

    queue.resume();
    assert.equal(queue.snapshot().items[0]!.state, 'running');
    await until(() => runner.waiting === 1, 'the second photo runs after resume');
    runner.release();
    await until(() => runner.waiting === 1, 'the next job runs');
    runner.release();
    await queue.whenIdle();
    assert.deepEqual(queue.snapshot().items.map((i) => i.state), ['finished', 'finished']);
  });

  it('a paused queue does not start a newly added job', async () => {
    const { runner, queue, add } = setup();
    queue.pause();
    add('/out1', ['/a.jpg']);
    for (let i = 0; i < 20; i++) await tick();
    assert.deepEqual(runner.started, []);
    assert.equal(queue.snapshot().items[0]!.state, 'queued');
    queue.resume();
    await until(() => runner.waiting === 1, 'it starts on resume');
    runner.release();
    await queue.whenIdle();
  });

  it('cancel stops the running job (also while paused) and drops queued ones without running them', async () => {
    const { runner, queue, add } = setup();
    const first = add('/out1', ['/a.jpg', '/b.jpg']);
    const second = add('/out2', ['/c.jpg']);
    await until(() => runner.waiting === 1, 'the first photo runs');
    assert.equal(queue.cancel(second.id), 'cancelled');
    queue.pause();
    queue.cancel(first.id);
    await queue.whenIdle();
    const snap = queue.snapshot();
    assert.equal(snap.items.find((i) => i.id === first.id)!.state, 'cancelled');
    assert.deepEqual(snap.items.find((i) => i.id === first.id)!.files.map((f) => f.status), ['cancelled', 'cancelled']);
    assert.equal(snap.items.find((i) => i.id === second.id)!.state, 'cancelled');
    assert.deepEqual(runner.started, ['job-/out1'], 'the cancelled queued job never ran');
    assert.equal(queue.cancel('q-unknown'), undefined);
    queue.resume();
  });

  it('a job that cannot run at all is failed with core error, and the queue goes on', async () => {
    const { runner, queue, add } = setup();
    const bad = add('/bad', ['/a.jpg'], 'missing');
    add('/out2', ['/c.jpg']);
    await until(() => runner.waiting === 1, 'the next job runs');
    const failed = queue.snapshot().items.find((i) => i.id === bad.id)!;
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error?.code, 'MODEL_NOT_FOUND');
    assert.equal(failed.files[0]!.status, 'cancelled');
    runner.release();
    await queue.whenIdle();
    queue.clearFinished();
    assert.deepEqual(queue.snapshot().items, []);
  });

  it('dispose cancels the running job and waits for it', async () => {
    const { runner, queue, add } = setup();
    add('/out1', ['/a.jpg', '/b.jpg']);
    await until(() => runner.waiting === 1, 'the first photo runs');
    await queue.dispose();
    assert.equal(queue.snapshot().items[0]!.state, 'cancelled');
    assert.throws(() => add('/out2', ['/c.jpg']));
  });
});

/** A runner whose photos fail as told: `failing` lists the inputs that fail. */
function failingRunner(failing: ReadonlySet<string>): RestoreRunner {
  return {
    async run(request, emit) {
      const jobId = `job-${request.outDir}`;
      emit({ type: 'job-started', jobId, files: request.inputs.length, model: 'm', device: 'cpu' });
      let succeeded = 0;
      let failed = 0;
      for (const file of request.inputs) {
        if (failing.has(file)) {
          failed++;
          emit({ type: 'file-failed', jobId, file, code: 'DECODE_FAILED', message: `${file} could not be decoded.` });
        } else {
          succeeded++;
          emit({ type: 'file-done', jobId, file, output: `${request.outDir}/${basename(file)}`, width: 8, height: 8, ms: 5 });
        }
      }
      emit({ type: 'job-finished', jobId, succeeded, failed, skipped: 0, cancelled: false, ms: 10 });
      return { jobId, succeeded, failed, skipped: 0, cancelled: false, ms: 10 };
    },
  };
}

/** An in-memory journal that records what the queue told it, in order. */
function memoryJournal() {
  const log: string[] = [];
  let next = 1;
  return {
    log,
    journal: {
      queued: (entry: { files: string[] }) => {
        const id = `rec-${next++}`;
        log.push(`queued ${id} ${entry.files.join(',')}`);
        return id;
      },
      started: (id: string) => log.push(`started ${id}`),
      ended: (id: string, outcome: { status: string }) => log.push(`ended ${id} ${outcome.status}`),
      interrupted: (jobId: string) => log.push(`interrupted ${jobId}`),
    },
  };
}

const ref = (path: string) => ({ path, name: basename(path), thumbnailUrl: `t:${path}`, imageUrl: `i:${path}` });

describe('JobQueue: honest outcomes, stuck cancels, durability', () => {
  it('a job whose every photo failed is "failed"; one with some failures is "finished-with-errors"', async () => {
    const queue = new JobQueue({ runner: failingRunner(new Set(['/bad1.jpg', '/bad2.jpg'])), photoRef: ref, onEvent: () => {}, onChange: () => {} });
    const all = queue.enqueue({ request: { inputs: ['/bad1.jpg', '/bad2.jpg'], outDir: '/o1' }, settings: { outDir: '/o1' }, files: ['/bad1.jpg', '/bad2.jpg'] });
    const some = queue.enqueue({ request: { inputs: ['/bad1.jpg', '/good.jpg'], outDir: '/o2' }, settings: { outDir: '/o2' }, files: ['/bad1.jpg', '/good.jpg'] });
    const none = queue.enqueue({ request: { inputs: ['/good.jpg'], outDir: '/o3' }, settings: { outDir: '/o3' }, files: ['/good.jpg'] });
    await queue.whenIdle();
    const state = (id: string) => queue.snapshot().items.find((i) => i.id === id)!.state;
    assert.equal(state(all.id), 'failed');
    assert.equal(state(some.id), 'finished-with-errors');
    assert.equal(state(none.id), 'finished');
  });

  it('a cancel that does not stop within the grace period is not waited for: the job is cancelled and the next one runs', async () => {
    let calls = 0;
    const stuck: RestoreRunner = {
      run(request, emit) {
        calls++;
        if (calls === 1) return new Promise(() => {}); // stuck below its cancel (a hung folder call)
        return failingRunner(new Set()).run(request, emit, {});
      },
    };
    const logged: string[] = [];
    const queue = new JobQueue({ runner: stuck, photoRef: ref, onEvent: () => {}, onChange: () => {}, cancelGraceMs: 50, log: (m) => logged.push(m) });
    const first = queue.enqueue({ request: { inputs: ['/a.jpg'], outDir: '/proc/x' }, settings: { outDir: '/proc/x' }, files: ['/a.jpg'] });
    const second = queue.enqueue({ request: { inputs: ['/b.jpg'], outDir: '/o' }, settings: { outDir: '/o' }, files: ['/b.jpg'] });
    await until(() => calls === 1, 'the first job runs');
    const started = Date.now();
    queue.cancel(first.id);
    await queue.whenIdle();
    assert.ok(Date.now() - started < 2000);
    const items = queue.snapshot().items;
    assert.equal(items.find((i) => i.id === first.id)!.state, 'cancelled');
    assert.equal(items.find((i) => i.id === second.id)!.state, 'finished');
    assert.match(logged.join('\n'), /did not stop within/);
  });

  it('every job is journaled before it is shown; a shutdown leaves queued jobs queued and marks the running one interrupted', async () => {
    const runner = new SteppedRunner();
    const { log, journal } = memoryJournal();
    const shown: number[] = [];
    const queue = new JobQueue({ runner, photoRef: ref, onEvent: () => {}, onChange: () => shown.push(log.length), journal });
    queue.enqueue({ request: { inputs: ['/a.jpg'], outDir: '/out1' }, settings: { outDir: '/out1' }, files: ['/a.jpg'] });
    assert.ok(shown[0]! >= 1, 'recorded before the first change was announced');
    queue.enqueue({ request: { inputs: ['/b.jpg'], outDir: '/out2' }, settings: { outDir: '/out2' }, files: ['/b.jpg'] });
    const dropped = queue.enqueue({ request: { inputs: ['/c.jpg'], outDir: '/out3' }, settings: { outDir: '/out3' }, files: ['/c.jpg'] });
    await until(() => runner.waiting === 1, 'the first photo runs');
    queue.cancel(dropped.id);
    await queue.dispose();
    assert.deepEqual(log, ['queued rec-1 /a.jpg', 'started rec-1', 'queued rec-2 /b.jpg', 'queued rec-3 /c.jpg', 'ended rec-3 cancelled', 'interrupted job-/out1']);
    assert.equal(queue.snapshot().items[0]!.state, 'interrupted');
  });
});
