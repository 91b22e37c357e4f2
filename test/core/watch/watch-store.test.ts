import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../../src/core/store/database.js';
import { WatchStore } from '../../../src/core/store/watch-store.js';
import { tempDir } from '../../helpers/images.js';

test('watch folders persist with their preset, pause flag and owner; a live owner cannot be displaced', () => {
  const path = join(tempDir(), 'heirloom.db');
  let db = openDatabase(path);
  let store = new WatchStore(db);
  const added = store.add({ path: '/scans', outDir: '/scans/out', preset: { modelId: 'realesr-general-x4v3', faces: true, format: 'png', scale: 2, tile: 32, threads: 1 } });
  assert.match(added.id, /^watch-[0-9a-f]{12}$/);
  assert.throws(() => store.add({ path: '/scans', outDir: '/scans/out', preset: { modelId: 'm', faces: false, format: 'keep' } }), /UNIQUE/);
  store.update(added.id, { paused: true });
  db.close();

  db = openDatabase(path);
  store = new WatchStore(db);
  const [stored] = store.list();
  assert.deepEqual(stored!.preset, { modelId: 'realesr-general-x4v3', faces: true, format: 'png', scale: 2, tile: 32, threads: 1 });
  assert.equal(stored!.paused, true);
  assert.equal(store.find('/scans', '/scans/out')?.id, added.id);

  const alive = new Set(['A']);
  assert.deepEqual(store.claim(added.id, 'A', (h) => alive.has(h)), { ok: true });
  assert.deepEqual(store.claim(added.id, 'B', (h) => alive.has(h)), { ok: false, holder: 'A' });
  alive.delete('A'); // A died
  assert.deepEqual(store.claim(added.id, 'B', (h) => alive.has(h)), { ok: true });
  store.release(added.id, 'A');
  assert.equal(store.get(added.id)?.owner, 'B', 'only the holder releases');
  assert.equal(store.remove(added.id), true);
  assert.deepEqual(store.list(), []);
  db.close();
});
