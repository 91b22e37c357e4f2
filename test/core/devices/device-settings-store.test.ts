import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../../src/core/store/database.js';
import { DeviceSettingsStore } from '../../../src/core/store/device-settings-store.js';

test('migration 002 creates the per-device settings table', () => {
  const db = openDatabase(':memory:');
  const columns = (db.prepare(`PRAGMA table_info(device_settings)`).all() as Array<{ name: string }>).map((c) => c.name);
  assert.deepEqual(columns, ['device_id', 'key', 'value', 'device_name', 'updated_at']);
});

test('values round-trip by key; reset removes a key; other devices are untouched', () => {
  const store = new DeviceSettingsStore(openDatabase(':memory:'));
  store.update('pci-0000:01:00.0', { values: { precision: 'fp16', memoryBudget: { kind: 'bytes', value: 8 * 1024 ** 3 }, tileSize: 'auto' }, deviceName: 'NVIDIA GeForce RTX 3060' });
  store.update('cpu', { values: { threads: 4 } });
  store.update('pci-0000:01:00.0', { values: { precision: 'fp32' }, reset: ['tileSize'] });
  assert.deepEqual(store.get('pci-0000:01:00.0'), { memoryBudget: { kind: 'bytes', value: 8 * 1024 ** 3 }, precision: 'fp32' });
  assert.deepEqual(store.get('cpu'), { threads: 4 });
  assert.deepEqual(store.get('absent'), {});
  assert.deepEqual(
    store.list().map((s) => [s.deviceId, s.deviceName]),
    [['cpu', null], ['pci-0000:01:00.0', 'NVIDIA GeForce RTX 3060']],
  );
});

test('a stored value that no longer validates (hand-edited, or from another version) is ignored, not trusted', () => {
  const db = openDatabase(':memory:');
  const insert = db.prepare(`INSERT INTO device_settings (device_id, key, value, updated_at) VALUES ('cpu', ?, ?, 0)`);
  insert.run('maxBatch', '999');
  insert.run('precision', '"fp8"');
  insert.run('threads', 'not json');
  insert.run('colour', '"blue"');
  insert.run('enabled', 'false');
  assert.deepEqual(new DeviceSettingsStore(db).get('cpu'), { enabled: false });
});
