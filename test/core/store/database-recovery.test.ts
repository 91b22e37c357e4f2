import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../../src/core/store/database.js';
import { openHistoryDatabase } from '../../../src/core/store/database-recovery.js';
import { backUpIfDue, listBackups } from '../../../src/core/store/database-backup.js';
import { HistoryDatabase } from '../../../src/core/store/history-database.js';
import { inUseStoreError, storeError } from '../../../src/core/store/store-errors.js';
import { MIGRATIONS } from '../../../src/core/store/migrations/index.js';
import { JobStore } from '../../../src/core/store/job-store.js';
import { HeirloomError } from '../../../src/shared/errors.js';
import { tempDir } from '../../helpers/images.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);

function seeded(path: string, jobId = 'job-1'): void {
  const db = openDatabase(path);
  new JobStore(db).createJob({ id: jobId, settings: { outDir: '/out' }, modelId: 'm', deviceId: 'cpu', inputs: ['/a.png'] });
  db.close();
}

function jobIds(db: Database.Database): string[] {
  return new JobStore(db).listJobs().map((j) => j.id).sort();
}

test('a damaged database with no backup is moved aside under a dated name and a fresh one is started', () => {
  const home = tempDir();
  const path = join(home, 'heirloom.db');
  writeFileSync(path, 'this is not a database, it is what a bad sync left behind'.repeat(100));
  const damagedBytes = readFileSync(path);
  const { db, notice } = openHistoryDatabase(path, { backupsDir: join(home, 'backups'), now: () => T0 });
  try {
    assert.deepEqual(jobIds(db), []);
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    assert.ok(notice);
    assert.equal(notice.code, 'STORE_RECOVERED');
    assert.equal(notice.damagedCopy, join(home, 'heirloom-damaged-2026-12-01T09-00-00-000Z.db'));
    assert.deepEqual(readFileSync(notice.damagedCopy), damagedBytes, 'the damaged file is kept byte for byte');
    assert.equal(notice.restoredFrom, undefined);
    assert.match(notice.message, /damaged .*moved to .*heirloom-damaged-2026-12-01T09-00-00-000Z\.db.*new, empty history/);
    assert.equal(notice.message.split('. ').length, 1, 'one sentence');
  } finally {
    db.close();
  }
});

test('a damaged database is replaced by the newest sound backup, and a second damage keeps the first damaged copy', async () => {
  const home = tempDir();
  const path = join(home, 'heirloom.db');
  const backups = join(home, 'backups');
  seeded(path, 'job-1');
  const source = openDatabase(path);
  assert.ok(await backUpIfDue(source, { dir: backups, now: () => T0 }));
  new JobStore(source).createJob({ id: 'job-2', settings: {}, modelId: 'm', deviceId: 'cpu', inputs: ['/b.png'] });
  source.close();

  // Overwrite the first pages (header and schema): what a partial copy leaves.
  const bytes = readFileSync(path);
  bytes.fill(0x5a, 20, 3000);
  writeFileSync(path, bytes);
  const first = openHistoryDatabase(path, { backupsDir: backups, now: () => T0 + 1000 });
  assert.deepEqual(jobIds(first.db), ['job-1'], 'the history as of the backup');
  assert.equal(first.notice?.restoredFrom, listBackups(backups)[0]!.path);
  assert.match(first.notice!.message, /restored from the automatic backup of .*jobs recorded after that backup are only in the damaged file/);
  first.db.close();

  writeFileSync(path, Buffer.alloc(4096, 7));
  const second = openHistoryDatabase(path, { backupsDir: backups, now: () => T0 + 1000 });
  second.db.close();
  assert.notEqual(second.notice!.damagedCopy, first.notice!.damagedCopy);
  assert.ok(existsSync(first.notice!.damagedCopy) && existsSync(second.notice!.damagedCopy), 'no damaged copy is ever replaced');
});

test('a zero-byte database where backups exist is damage, not a new history', async () => {
  const home = tempDir();
  const path = join(home, 'heirloom.db');
  seeded(path);
  const db = openDatabase(path);
  await backUpIfDue(db, { dir: join(home, 'backups'), now: () => T0 });
  db.close();
  writeFileSync(path, '');
  const opened = openHistoryDatabase(path, { backupsDir: join(home, 'backups'), now: () => T0 });
  assert.deepEqual(jobIds(opened.db), ['job-1']);
  assert.equal(statSync(opened.notice!.damagedCopy).size, 0);
  opened.db.close();
});

test('a sound database is opened as it is: no notice, nothing moved', () => {
  const home = tempDir();
  const path = join(home, 'heirloom.db');
  seeded(path);
  const { db, notice } = openHistoryDatabase(path, { backupsDir: join(home, 'backups') });
  assert.equal(notice, undefined);
  assert.deepEqual(jobIds(db), ['job-1']);
  db.close();
  assert.deepEqual(readdirSync(home).filter((n) => n.includes('damaged')), []);
});

test('STORE_LOCKED: another program holding the database locked past the busy timeout', () => {
  const home = tempDir();
  const path = join(home, 'heirloom.db');
  seeded(path);
  // A program that took the file for itself (exclusive locking, like some database browsers).
  const other = new Database(path);
  other.pragma('journal_mode = DELETE');
  other.pragma('locking_mode = EXCLUSIVE');
  other.exec('BEGIN EXCLUSIVE');
  try {
    const started = Date.now();
    assert.throws(
      () => openHistoryDatabase(path, { backupsDir: join(home, 'backups'), busyTimeoutMs: 300 }),
      (e: unknown) => e instanceof HeirloomError && e.code === 'STORE_LOCKED' && e.message.includes(path) && /locked by another program/.test(e.message) && /Close the other program/.test(e.message),
    );
    assert.ok(Date.now() - started >= 250, 'it waited for the lock before failing');
  } finally {
    other.exec('ROLLBACK');
    other.close();
  }
  assert.deepEqual(readdirSync(home).filter((n) => n.includes('damaged')), [], 'a locked database is not damaged: never moved');
});

test('STORE_TOO_NEW: a database from a newer Heirloom is refused, names that version, and is left untouched', () => {
  const home = tempDir();
  const path = join(home, 'heirloom.db');
  const db = openDatabase(path, { appVersion: '9.4.2' });
  db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  db.close();
  const before = readFileSync(path);
  assert.throws(
    () => openHistoryDatabase(path, { backupsDir: join(home, 'backups'), appVersion: '0.1.0' }),
    (e: unknown) => e instanceof HeirloomError && e.code === 'STORE_TOO_NEW' && /newer Heirloom \(version 9\.4\.2/.test(e.message) && /update Heirloom to 9\.4\.2 or later/.test(e.message) && e.message.includes(path),
  );
  assert.deepEqual(readFileSync(path), before);
  assert.deepEqual(readdirSync(home).filter((n) => n.includes('damaged')), []);
});

test('STORE_READ_ONLY and DISK_FULL: SQLite and file-system failures each get their own code, the file and what to do', () => {
  const path = '/data/Heirloom/heirloom.db';
  for (const code of ['SQLITE_READONLY', 'SQLITE_READONLY_DIRECTORY', 'EROFS', 'EACCES']) {
    const error = storeError(Object.assign(new Error('attempt to write a readonly database'), { code }), path);
    assert.equal(error.code, 'STORE_READ_ONLY', code);
    assert.match(error.message, /The data folder \/data\/Heirloom is read-only.*\/data\/Heirloom\/heirloom\.db.*writable.*--home or HEIRLOOM_HOME/);
  }
  for (const code of ['SQLITE_FULL', 'ENOSPC']) {
    const error = storeError(Object.assign(new Error('database or disk is full'), { code }), path);
    assert.equal(error.code, 'DISK_FULL', code);
    assert.match(error.message, /disk holding the data folder \/data\/Heirloom is full.*Free some space/);
  }
  for (const code of ['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_IOERR_SHORT_READ']) assert.equal(storeError(Object.assign(new Error('x'), { code }), path).code, 'STORE_DAMAGED', code);
  assert.equal(storeError(Object.assign(new Error('x'), { code: 'SQLITE_BUSY' }), path).code, 'STORE_LOCKED');
});

test('a SQLite failure while the database is in use is said as what it is, not as an unexpected error', () => {
  const damaged = inUseStoreError(Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' }));
  assert.equal(damaged?.code, 'STORE_DAMAGED');
  assert.match(damaged!.message, /damaged \(database disk image is malformed\).*Run Heirloom again: it moves the damaged file aside/);
  assert.equal(inUseStoreError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))?.code, 'DISK_FULL');
  assert.equal(inUseStoreError(new Error('something else')), undefined);
});

test('a data folder that is a file: STORE_FAILED naming the database and what to do', () => {
  const home = tempDir();
  writeFileSync(join(home, 'not-a-folder'), 'x');
  const path = join(home, 'not-a-folder', 'heirloom.db');
  assert.throws(
    () => openHistoryDatabase(path, { backupsDir: join(home, 'backups') }),
    (e: unknown) => e instanceof HeirloomError && e.code === 'STORE_FAILED' && e.message.includes(path) && /--home or HEIRLOOM_HOME/.test(e.message),
  );
});

test('backups: at most one a day, the newest three kept, each a whole, checked, standalone database', async () => {
  const home = tempDir();
  const path = join(home, 'heirloom.db');
  const dir = join(home, 'backups');
  seeded(path, 'job-0');
  const db = openDatabase(path);
  const store = new JobStore(db);
  const made: string[] = [];
  for (const [i, at] of [T0, T0 + 3_600_000, T0 + DAY, T0 + 2 * DAY, T0 + 3 * DAY + 5].entries()) {
    store.createJob({ id: `job-${i + 1}`, settings: {}, modelId: 'm', deviceId: 'cpu', inputs: ['/a.png'] });
    const written = await backUpIfDue(db, { dir, now: () => at });
    if (written) made.push(written);
  }
  db.close();
  assert.equal(made.length, 4, 'the backup an hour after the first was skipped');
  const kept = listBackups(dir);
  assert.deepEqual(kept.map((b) => b.path), made.slice(1).reverse(), 'the newest three, newest first');
  assert.deepEqual(readdirSync(dir).sort(), kept.map((b) => b.path.slice(dir.length + 1)).sort(), 'no temporary or journal files left');
  const newest = new Database(kept[0]!.path, { readonly: true });
  assert.equal(newest.pragma('journal_mode', { simple: true }), 'delete', 'a backup stands alone (no WAL beside it)');
  assert.deepEqual(new JobStore(newest).listJobs().map((j) => j.id).sort(), ['job-0', 'job-1', 'job-2', 'job-3', 'job-4', 'job-5']);
  newest.close();
  const oldest = new Database(kept[2]!.path, { readonly: true });
  assert.deepEqual(new JobStore(oldest).listJobs().map((j) => j.id).sort(), ['job-0', 'job-1', 'job-2', 'job-3'], 'each backup is the history as it was then');
  oldest.close();
});

test('HistoryDatabase backs up after a job finishes, and close waits for the backup', async () => {
  const home = tempDir();
  const history = new HistoryDatabase({ path: join(home, 'heirloom.db'), now: () => T0 });
  const jobs = new JobStore(history.db, { jobFinished: () => history.jobFinished() });
  jobs.createJob({ id: 'job-1', settings: {}, modelId: 'm', deviceId: 'cpu', inputs: ['/a.png'] });
  assert.deepEqual(listBackups(history.backupsDir), []);
  jobs.finishJob('job-1', { status: 'finished', ms: 5 });
  await history.close();
  assert.equal(listBackups(join(home, 'backups')).length, 1);
});

test('finishJob is honest: failures make "finished-with-errors", nothing restored makes "failed"', () => {
  const db = openDatabase(':memory:');
  const jobs = new JobStore(db);
  jobs.createJob({ id: 'all-failed', settings: {}, modelId: 'm', deviceId: 'cpu', inputs: ['/a.png', '/b.png'] });
  jobs.markFileFailed('all-failed', 0, { code: 'DECODE_FAILED', message: 'bad' });
  jobs.markFileFailed('all-failed', 1, { code: 'DECODE_FAILED', message: 'bad' });
  jobs.finishJob('all-failed', { status: 'finished', ms: 1 });
  jobs.createJob({ id: 'some-failed', settings: {}, modelId: 'm', deviceId: 'cpu', inputs: ['/a.png', '/b.png'] });
  jobs.markFileDone('some-failed', 0, { outputPath: '/o.png', width: 1, height: 1, ms: 1 });
  jobs.markFileFailed('some-failed', 1, { code: 'DECODE_FAILED', message: 'bad' });
  jobs.finishJob('some-failed', { status: 'finished', ms: 1 });
  jobs.createJob({ id: 'fine', settings: {}, modelId: 'm', deviceId: 'cpu', inputs: ['/a.png'] });
  jobs.markFileDone('fine', 0, { outputPath: '/o.png', width: 1, height: 1, ms: 1 });
  jobs.finishJob('fine', { status: 'finished', ms: 1 });
  assert.equal(jobs.getJob('all-failed')?.status, 'failed');
  assert.equal(jobs.getJob('some-failed')?.status, 'finished-with-errors');
  assert.equal(jobs.getJob('fine')?.status, 'finished');
  db.close();
});

test('processes finding the same damage at once repair it once: one damaged copy, every process on the restored history', async () => {
  const home = tempDir();
  const path = join(home, 'heirloom.db');
  const backups = join(home, 'backups');
  seeded(path, 'job-1');
  const db = openDatabase(path);
  await backUpIfDue(db, { dir: backups, now: () => T0 });
  db.close();
  writeFileSync(path, Buffer.alloc(8192, 0x41));
  const script = `
    import { openHistoryDatabase } from ${JSON.stringify(resolve('src/core/store/database-recovery.ts'))};
    const { db, notice } = openHistoryDatabase(${JSON.stringify(path)}, { backupsDir: ${JSON.stringify(backups)} });
    const jobs = db.prepare('SELECT id FROM jobs').all().map((r) => r.id);
    db.close();
    process.stdout.write(JSON.stringify({ jobs, repaired: notice !== undefined }));`;
  const results = await Promise.all(
    [0, 1, 2].map(
      () =>
        new Promise<{ jobs: string[]; repaired: boolean }>((done, fail) => {
          let out = '';
          const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.on('close', (code) => (code === 0 ? done(JSON.parse(out) as { jobs: string[]; repaired: boolean }) : fail(new Error(`exit ${code}`))));
        }),
    ),
  );
  assert.deepEqual(results.map((r) => r.jobs), [['job-1'], ['job-1'], ['job-1']]);
  assert.equal(results.filter((r) => r.repaired).length, 1, 'repaired by exactly one process');
  assert.equal(readdirSync(home).filter((n) => /damaged.*\.db$/.test(n)).length, 1);
  assert.equal(existsSync(`${path}.recovering`), false, 'the lock is released');
});
