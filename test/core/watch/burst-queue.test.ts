import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BurstQueue } from '../../../src/core/watch/burst-queue.js';

test('a burst becomes one batch once the folder is quiet; other folders wait for their own batch', async () => {
  const queue = new BurstQueue({ quietMs: 60, maxWaitMs: 10_000, maxBatch: 50 });
  const signal = new AbortController().signal;
  for (let i = 0; i < 5; i++) queue.add({ folderId: 'a', path: `/a/${i}.png`, initial: false });
  queue.add({ folderId: 'b', path: '/b/x.png', initial: true });
  queue.add({ folderId: 'a', path: '/a/0.png', initial: false }); // reported again: keeps its place, no duplicate
  const first = await queue.next(signal);
  assert.equal(first?.folderId, 'a');
  assert.deepEqual(first?.files.map((f) => f.path), ['/a/0.png', '/a/1.png', '/a/2.png', '/a/3.png', '/a/4.png']);
  const second = await queue.next(signal);
  assert.deepEqual(second?.files, [{ folderId: 'b', path: '/b/x.png', initial: true }]);
  assert.equal(queue.size, 0);
});

test('hundreds of files make jobs of at most maxBatch, without waiting for quiet', async () => {
  const queue = new BurstQueue({ quietMs: 60_000, maxWaitMs: 60_000, maxBatch: 32 });
  const signal = new AbortController().signal;
  for (let i = 0; i < 300; i++) queue.add({ folderId: 'a', path: `/a/${i}.png`, initial: false });
  const sizes: number[] = [];
  while (queue.size >= 32) sizes.push((await queue.next(signal))!.files.length);
  assert.deepEqual(sizes, Array(9).fill(32));
  assert.equal(queue.size, 300 - 9 * 32);
});

test('the oldest file bounds the wait even while files keep arriving', async () => {
  const queue = new BurstQueue({ quietMs: 1000, maxWaitMs: 150, maxBatch: 100 });
  const signal = new AbortController().signal;
  const feeding = setInterval(() => queue.add({ folderId: 'a', path: `/a/${Math.random()}.png`, initial: false }), 20);
  try {
    const batch = await queue.next(signal);
    assert.ok(batch && batch.files.length >= 1);
  } finally {
    clearInterval(feeding);
  }
});

test('interrupt, drop and abort', async () => {
  const queue = new BurstQueue({ quietMs: 10, maxWaitMs: 100, maxBatch: 10 });
  const abort = new AbortController();
  const waiting = queue.next(abort.signal);
  queue.interrupt();
  assert.equal(await waiting, undefined, 'interrupt makes a waiting next() return');
  queue.add({ folderId: 'a', path: '/a/1.png', initial: false });
  queue.add({ folderId: 'b', path: '/b/1.png', initial: false });
  queue.drop('a');
  assert.equal((await queue.next(abort.signal))?.folderId, 'b');
  const pending = queue.next(abort.signal);
  abort.abort();
  assert.equal(await pending, undefined);
});
