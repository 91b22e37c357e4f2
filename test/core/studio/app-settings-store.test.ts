import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppSettingsStore } from '../../../src/core/studio/app-settings-store.js';

describe('AppSettingsStore', () => {
  it('starts from the defaults, applies patches, clears with null and survives a reopen', async () => {
    const home = mkdtempSync(join(tmpdir(), 'heirloom-appsettings-'));
    const store = AppSettingsStore.inHome(home);
    assert.deepEqual(await store.get(), { format: 'keep', keepMetadata: true, maxPixels: 200_000_000 });
    await store.update({ outputDir: '/photos/out', format: 'jpeg', quality: 85, keepMetadata: false });
    await store.update({ quality: null });
    const reopened = await AppSettingsStore.inHome(home).get();
    assert.deepEqual(reopened, { outputDir: '/photos/out', format: 'jpeg', keepMetadata: false, maxPixels: 200_000_000 });
    assert.deepEqual(readdirSync(home), ['app-settings.json'], 'no temporary files left behind');
  });

  it('refuses a relative output folder, and concurrent updates all land', async () => {
    const store = AppSettingsStore.inHome(mkdtempSync(join(tmpdir(), 'heirloom-appsettings-')));
    await assert.rejects(store.update({ outputDir: 'photos/out' }), { code: 'INVALID_SETTING' });
    await Promise.all([store.update({ format: 'png' }), store.update({ keepMetadata: false }), store.update({ quality: 50 })]);
    assert.deepEqual(await store.get(), { format: 'png', keepMetadata: false, quality: 50, maxPixels: 200_000_000 });
  });

  it('keeps an unreadable file aside and uses the defaults', async () => {
    const home = mkdtempSync(join(tmpdir(), 'heirloom-appsettings-'));
    writeFileSync(join(home, 'app-settings.json'), '{ not json');
    assert.deepEqual(await AppSettingsStore.inHome(home).get(), { format: 'keep', keepMetadata: true, maxPixels: 200_000_000 });
    const kept = readdirSync(home).find((n) => n.startsWith('app-settings.json.invalid-'));
    assert.ok(kept);
    assert.equal(readFileSync(join(home, kept), 'utf8'), '{ not json');
  });
});
