import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/images.js';
import { testEngine } from '../../helpers/engine.js';
import { startRedis } from '../../helpers/redis-server.js';
import { FarmSettingsStore } from '../../../src/core/studio/farm-settings-store.js';
import { FarmWorker } from '../../../src/core/farm/farm-worker.js';

test("the studio's Farm setting: kept with its password in a file only this user reads, shown without it; the Devices card's workers come from the farm", { timeout: 60_000 }, async () => {
  const password = 'studio-s3cret';
  const redis = await startRedis({ requirePass: password });
  const home = tempDir('heirloom-farm-settings-');
  const store = FarmSettingsStore.inHome(home);
  const { engine, dispose } = testEngine(join(home, 'worker'));
  const worker = new FarmWorker({ redisUrl: redis.url, engine, name: 'studio-w' });
  try {
    assert.deepEqual(await store.view(), { url: null });
    assert.equal(await store.status(), null, 'no farm set: nothing to show');
    await assert.rejects(store.set('http://:x@host'), /not a Redis URL/);

    const view = await store.set(redis.url);
    assert.deepEqual(view, { url: `redis://:***@127.0.0.1:${redis.port}` });
    assert.equal(statSync(store.file).mode & 0o777, 0o600, 'only this user can read it');
    assert.ok(readFileSync(store.file, 'utf8').includes(password), 'the studio can connect with it');
    assert.equal(await store.url(), redis.url);

    await worker.start();
    const status = await store.status();
    assert.equal(status?.redis, view.url);
    assert.deepEqual(status?.workers.map((w) => [w.name, w.state]), [['studio-w', 'idle']]);
    assert.ok(!JSON.stringify([view, status]).includes(password));

    assert.deepEqual(await store.set(null), { url: null });
  } finally {
    await worker.stop(500);
    await dispose();
    await redis.stop();
  }
});
