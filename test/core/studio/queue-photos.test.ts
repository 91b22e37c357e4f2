import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import type { RestoreEvent } from '../../../src/shared/events.js';
import { JobQueue } from '../../../src/core/studio/job-queue.js';
import { LIST_ALL_UP_TO, LISTED_EACH, QueuePhotos } from '../../../src/core/studio/queue-photos.js';
import type { RestoreRunner } from '../../../src/core/studio/ports.js';
import type { RestoreRequest, RunControls } from '../../../src/core/restore/restore-engine.js';

/** Restores the job's photos in order up to `stopAt` (every 50th fails, every 70th is skipped), starts the next, then waits to be cancelled. */
class ScriptedRunner implements RestoreRunner {
  constructor(private readonly stopAt: number) {}

  async run(request: RestoreRequest, emit: (e: RestoreEvent) => void, controls: RunControls) {
    const jobId = 'job-big';
    await new Promise((resolve) => setImmediate(resolve));
    emit({ type: 'job-started', jobId, files: request.inputs.length, model: 'm', device: 'cpu' });
    const counts = { succeeded: 0, failed: 0, skipped: 0 };
    for (const [i, file] of request.inputs.entries()) {
      emit({ type: 'progress', jobId, file, stage: 'inferring', value: 0.5, tile: 1, tiles: 2, batchSize: 1, recommendedBatch: 1, tileSize: 128, device: 'cpu' });
      if (i === this.stopAt) break;
      if (i % 50 === 49) {
        counts.failed++;
        emit({ type: 'file-failed', jobId, file, code: 'DECODE_FAILED', message: `${file} is not a photo` });
      } else if (i % 70 === 69) {
        counts.skipped++;
        emit({ type: 'file-skipped', jobId, file, reason: 'already restored' });
      } else {
        counts.succeeded++;
        emit({ type: 'file-done', jobId, file, output: `${request.outDir}/${basename(file)}`, width: 8, height: 8, ms: 5 });
      }
    }
    if (this.stopAt < request.inputs.length) await new Promise<void>((resolve) => controls.signal?.addEventListener('abort', () => resolve(), { once: true }));
    const cancelled = controls.signal?.aborted ?? false;
    emit({ type: 'job-finished', jobId, ...counts, cancelled, ms: 10 });
    return { jobId, ...counts, cancelled, ms: 10 };
  }
}

function queueWith(runner: RestoreRunner) {
  return new JobQueue({ runner, photoRef: (path) => ({ path, name: basename(path), thumbnailUrl: `t:${path}`, imageUrl: `i:${path}` }), onEvent: () => undefined, onChange: () => undefined });
}

const photos = (n: number) => Array.from({ length: n }, (_, i) => `/in/p${String(i).padStart(5, '0')}.png`);
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

test('a big job lists a window of its photos (running, latest finished and failed, next waiting) and counts them all', async () => {
  const files = photos(10_000);
  const queue = queueWith(new ScriptedRunner(3000));
  const item = queue.enqueue({ request: { inputs: files, outDir: '/out' }, settings: { outDir: '/out' }, files });
  assert.equal(item.photos.total, 10_000);
  assert.equal(item.files.length, LISTED_EACH, 'before it runs: the next photos waiting');
  await settle();

  const view = queue.snapshot().items[0]!;
  // 3,000 photos ended: 60 failed (every 50th), the 70th ones skipped unless they failed, the rest done; the 3,001st runs.
  const failedIdx = [...Array(3000).keys()].filter((i) => i % 50 === 49);
  const skippedIdx = [...Array(3000).keys()].filter((i) => i % 50 !== 49 && i % 70 === 69);
  assert.deepEqual(view.photos, { total: 10_000, queued: 6999, running: 1, done: 3000 - failedIdx.length - skippedIdx.length, failed: failedIdx.length, skipped: skippedIdx.length, cancelled: 0 });

  const listed = view.files.map((f) => files.indexOf(f.path));
  assert.deepEqual(listed, [...listed].sort((a, b) => a - b), 'in the job order');
  const finishedIdx = [...Array(3000).keys()].filter((i) => i % 50 !== 49);
  const expected = new Set([...failedIdx.slice(-LISTED_EACH), ...finishedIdx.slice(-LISTED_EACH), 3000, ...Array.from({ length: LISTED_EACH }, (_, k) => 3001 + k)]);
  assert.deepEqual(new Set(listed), expected);
  assert.equal(view.files.find((f) => f.status === 'running')?.path, files[3000]);
  assert.ok(JSON.stringify(queue.snapshot()).length < 40_000, 'the snapshot stays small');

  // Cancelled: what was waiting or running is counted cancelled, and nothing waits in the list.
  queue.cancel(item.id);
  await settle();
  const ended = queue.snapshot().items[0]!;
  assert.equal(ended.state, 'cancelled');
  assert.deepEqual([ended.photos.cancelled, ended.photos.queued, ended.photos.running], [7000, 0, 0]);
  assert.ok(ended.files.every((f) => f.status !== 'queued' && f.status !== 'running'));
  assert.ok(queue.hasOutput('/out/p02998.png') && !queue.hasOutput('/out/p03000.png'));
});

test(`a job of up to ${LIST_ALL_UP_TO} photos lists every one`, async () => {
  const files = photos(LIST_ALL_UP_TO);
  const queue = queueWith(new ScriptedRunner(LIST_ALL_UP_TO));
  queue.enqueue({ request: { inputs: files, outDir: '/out' }, settings: { outDir: '/out' }, files });
  await settle();
  const view = queue.snapshot().items[0]!;
  assert.deepEqual(view.files.map((f) => f.path), files);
  assert.equal(view.photos.done + view.photos.failed + view.photos.skipped, LIST_ALL_UP_TO);
  assert.equal(view.state, 'finished-with-errors');
});

test('the window follows each photo: one the engine never reports stays listed as waiting, a failed photo restored after all leaves the failed ones', () => {
  const rows = new QueuePhotos((path) => ({ path, name: basename(path), thumbnailUrl: `t:${path}`, imageUrl: `i:${path}` }));
  const files = photos(500);
  for (const path of files) rows.row(path);
  // Photo 3 vanished before the run: never reported. The others up to 299 are restored, 10 fails and is then restored on a retry.
  for (let i = 0; i < 300; i++) if (i !== 3) rows.setStatus(rows.row(files[i]!), i === 10 ? 'failed' : 'done');
  rows.setStatus(rows.row(files[10]!), 'done');
  const listed = rows.listed().map((f) => files.indexOf(f.path));
  // Waiting: 3, then 300..318; the latest 20 finished: 281..299, then 10.
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
  assert.deepEqual(listed, [3, 10, ...range(281, 299), ...range(300, 318)]);
  assert.equal(rows.listed().filter((f) => f.status === 'failed').length, 0, 'no longer failed');
  assert.deepEqual(rows.tally(), { total: 500, queued: 201, running: 0, done: 299, failed: 0, skipped: 0, cancelled: 0 });
  assert.equal(rows.listed().filter((f) => f.status === 'queued').length, LISTED_EACH);
  rows.cancelUnfinished();
  assert.deepEqual([rows.tally().queued, rows.tally().cancelled], [0, 201]);
});
