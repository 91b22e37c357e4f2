import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withDeadline } from '../../../src/core/fs/with-deadline.js';
import { ensureWritableFolder } from '../../../src/core/fs/writable-folder.js';
import { collectInputs } from '../../../src/core/fs/collect-inputs.js';
import { HeirloomError } from '../../../src/shared/errors.js';
import { tempDir } from '../../helpers/images.js';

const never = () => new Promise<never>(() => undefined);
const code = (e: unknown) => (e instanceof HeirloomError ? e.code : (e as NodeJS.ErrnoException).code);

test('withDeadline: a call that never answers fails at its deadline, and a stop ends the wait at once', async () => {
  let started = Date.now();
  await assert.rejects(withDeadline(never(), { ms: 80, onTimeout: () => new Error('no answer') }), /no answer/);
  const waited = Date.now() - started;
  assert.ok(waited >= 70 && waited < 1000, `${waited} ms`);

  const abort = new AbortController();
  started = Date.now();
  setTimeout(() => abort.abort(), 30);
  await assert.rejects(withDeadline(never(), { ms: 60_000, signal: abort.signal, onTimeout: () => new Error('no answer') }), (e) => code(e) === 'CANCELLED');
  assert.ok(Date.now() - started < 1000);
  assert.equal(await withDeadline(Promise.resolve(7), { ms: 10, onTimeout: () => new Error('x') }), 7);
});

test('an output folder under /proc fails at once with OUTPUT_NOT_WRITABLE (Node\'s recursive mkdir spins forever there)', async () => {
  for (const dir of ['/proc/x', '/proc/x/y/z']) {
    const started = Date.now();
    await assert.rejects(ensureWritableFolder(dir), (e) => code(e) === 'OUTPUT_NOT_WRITABLE' && (e as Error).message.includes(dir) && /Choose another folder/.test((e as Error).message));
    const ms = Date.now() - started;
    assert.ok(ms < 2000, `${dir}: ${ms} ms`);
  }
});

test('ensureWritableFolder creates missing folders level by level, and a file in the path fails with its name', async () => {
  const root = tempDir();
  const deep = join(root, 'a', 'b', 'c');
  await ensureWritableFolder(deep);
  assert.deepEqual(readdirSync(deep), [], 'the write probe is removed');
  writeFileSync(join(root, 'file'), 'x');
  await assert.rejects(ensureWritableFolder(join(root, 'file', 'sub')), (e) => code(e) === 'OUTPUT_NOT_WRITABLE' && /file is a file, not a folder/.test((e as Error).message));
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(ensureWritableFolder(join(root, 'x'), { signal: abort.signal }), (e) => code(e) === 'CANCELLED');
});

test('collectInputs stops with CANCELLED when the job is stopped', async () => {
  const root = tempDir();
  for (let i = 0; i < 5; i++) writeFileSync(join(root, `p${i}.png`), 'x');
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(collectInputs([root], { signal: abort.signal }), (e) => code(e) === 'CANCELLED');
  assert.equal((await collectInputs([root])).length, 5);
});
