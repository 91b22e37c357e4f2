import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireLockFileSync } from '../../../src/core/fs/lock-file.js';
import { tempDir } from '../../helpers/images.js';

const alive = new Set(['A', 'B']);
const holder = (token: string) => ({ token, isAlive: (t: string) => alive.has(t) });

test('a lock file is held by one process; a live holder is waited for, a dead one (or an empty leftover) taken over', () => {
  const path = join(tempDir(), 'heirloom.db.recovering');
  const releaseA = acquireLockFileSync(path, holder('A'), { timeoutMs: 1000 });
  assert.ok(releaseA);
  const started = Date.now();
  assert.equal(acquireLockFileSync(path, holder('B'), { timeoutMs: 150, pollMs: 20 }), undefined, 'A is alive: B gives up after its timeout');
  assert.ok(Date.now() - started >= 140);
  releaseA();
  assert.equal(existsSync(path), false);

  writeFileSync(path, 'C'); // a process that died holding it
  const releaseB = acquireLockFileSync(path, holder('B'), { timeoutMs: 1000 });
  assert.ok(releaseB);
  releaseB();

  writeFileSync(path, ''); // created, never written: its creator died in between
  utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  const releaseAgain = acquireLockFileSync(path, holder('A'), { timeoutMs: 1000 });
  assert.ok(releaseAgain);
  releaseAgain();
});
