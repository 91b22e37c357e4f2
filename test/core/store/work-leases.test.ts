import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../../src/core/store/database.js';
import { WorkLeases } from '../../../src/core/store/work-leases.js';
import { onceAcrossProcesses } from '../../../src/core/scheduler/once-across-processes.js';
import { tempDir } from '../../helpers/images.js';

/** Two "processes": two connections to one database file, each with its own holder token. */
function twoHolders(alive: Set<string> = new Set(['A', 'B'])) {
  const path = join(tempDir(), 'heirloom.db');
  const dbA = openDatabase(path);
  const dbB = openDatabase(path);
  const isAlive = (token: string) => alive.has(token);
  return { dbA, dbB, a: new WorkLeases(dbA, { token: 'A', isAlive }), b: new WorkLeases(dbB, { token: 'B', isAlive }), alive };
}

test('a lease is held by one process at a time, and taken over when its holder dies or it expires', () => {
  const { dbA, dbB, a, b, alive } = twoHolders();
  assert.equal(a.tryAcquire('tune:cpu:m', 60_000), true);
  assert.equal(b.tryAcquire('tune:cpu:m', 60_000), false);
  assert.equal(b.holderOf('tune:cpu:m'), 'A');
  assert.equal(a.tryAcquire('tune:cpu:m', 60_000), true, 'ours again: renewed');
  alive.delete('A');
  assert.equal(b.tryAcquire('tune:cpu:m', 60_000), true, 'the holder died');
  assert.equal(a.renew('tune:cpu:m', 60_000), false, 'no longer ours');
  b.release('tune:cpu:m');
  alive.add('A');
  assert.equal(a.tryAcquire('short', 1), true);
  const until = Date.now() + 5;
  while (Date.now() <= until);
  assert.equal(b.tryAcquire('short', 60_000), true, 'expired');
  dbA.close();
  dbB.close();
});

test('onceAcrossProcesses: two processes asking at once do the work once and both get its result', async () => {
  const { dbA, dbB, a, b } = twoHolders();
  dbA.exec('CREATE TABLE result (value INTEGER)');
  const read = (db: typeof dbA) => (db.prepare('SELECT value FROM result').get() as { value: number } | undefined)?.value;
  let runs = 0;
  const waits: string[] = [];
  const work = (db: typeof dbA) => async () => {
    runs++;
    await new Promise((r) => setTimeout(r, 150));
    db.prepare('INSERT INTO result (value) VALUES (192)').run();
    return 192;
  };
  const [ra, rb] = await Promise.all([
    onceAcrossProcesses({ leases: a, name: 'tune', existing: () => read(dbA), work: work(dbA), onWait: () => waits.push('A'), pollMs: 20 }),
    onceAcrossProcesses({ leases: b, name: 'tune', existing: () => read(dbB), work: work(dbB), onWait: () => waits.push('B'), pollMs: 20 }),
  ]);
  assert.deepEqual([ra, rb], [192, 192]);
  assert.equal(runs, 1, 'measured once');
  assert.equal(waits.length, 1, 'the other waited');
  assert.equal(a.holderOf('tune'), undefined, 'released');
  dbA.close();
  dbB.close();
});

test('onceAcrossProcesses: a waiter takes the work over when the holder gives up without a result', async () => {
  const { dbA, dbB, a, b } = twoHolders();
  assert.equal(a.tryAcquire('tune', 60_000), true);
  let result: number | undefined;
  const waiting = onceAcrossProcesses({ leases: b, name: 'tune', existing: () => result, work: async () => (result = 128), pollMs: 10 });
  await new Promise((r) => setTimeout(r, 50));
  a.release('tune'); // e.g. its tuning was cancelled
  assert.equal(await waiting, 128);
  dbA.close();
  dbB.close();
});
