import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { openDatabase } from '../../../src/core/store/database.js';
import { MIGRATIONS } from '../../../src/core/store/migrations/index.js';
import { JobStore } from '../../../src/core/store/job-store.js';
import { tempDir } from '../../helpers/images.js';

test('a fresh database is migrated to the latest version in WAL mode, and reopening keeps its data', () => {
  const path = join(tempDir(), 'heirloom.db');
  const db = openDatabase(path);
  assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  new JobStore(db).createJob({ id: 'job-1', settings: {}, modelId: 'm', deviceId: 'cpu', inputs: ['/a.png'] });
  db.close();
  const again = openDatabase(path);
  assert.equal(new JobStore(again).getJob('job-1')?.files.length, 1);
  again.close();
});

test('a database from a newer Heirloom is refused with a clear error', () => {
  const path = join(tempDir(), 'heirloom.db');
  const db = openDatabase(path);
  db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  db.close();
  assert.throws(() => openDatabase(path), (e: unknown) => (e as { code?: string }).code === 'STORE_TOO_NEW' && /newer Heirloom/.test((e as Error).message));
});

test('processes opening one fresh database at the same time do not race the migrations', async () => {
  const path = join(tempDir(), 'heirloom.db');
  const script = `import { openDatabase } from ${JSON.stringify(resolve('src/core/store/database.ts'))}; openDatabase(${JSON.stringify(path)}).close();`;
  const codes = await Promise.all(
    [0, 1, 2, 3].map(
      () =>
        new Promise<number | null>((done) => {
          const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
          child.on('close', done);
        }),
    ),
  );
  assert.deepEqual(codes, [0, 0, 0, 0]);
  const db = openDatabase(path);
  assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  db.close();
});
