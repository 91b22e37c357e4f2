import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cachedProbe, DiscoveryCache, DISCOVERY_CACHE_MS, discoveryFingerprint } from '../../../src/core/devices/discovery-cache.js';
import { DeviceService } from '../../../src/core/devices/device-service.js';
import { openDatabase } from '../../../src/core/store/database.js';
import { DeviceSettingsStore } from '../../../src/core/store/device-settings-store.js';
import { tempDir } from '../../helpers/images.js';
import { fixtureSources, type FixtureOptions } from './fixture-sources.js';

/** A clock the test moves. */
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function setup(options: FixtureOptions = {}) {
  const path = join(tempDir(), 'device-discovery.json');
  const time = clock();
  const cache = () => new DiscoveryCache(path, 'linux-two-nvidia', DISCOVERY_CACHE_MS, time.now);
  /** A new process's service: its own discovery sources (counting nvidia-smi calls), the shared cache file. */
  const service = () => {
    const sources = fixtureSources('linux-two-nvidia', options);
    const shared = cache();
    sources.probe = cachedProbe(sources.probe, shared, time.now);
    return { devices: new DeviceService(new DeviceSettingsStore(openDatabase(':memory:')), sources, shared), sources };
  };
  return { path, time, cache, service };
}

test('a second process within the lifetime resolves from the cache: no nvidia-smi, no probe; after it, discovery runs again', async () => {
  const { time, service, path } = setup();
  const first = service();
  const workers = await first.devices.resolve({});
  assert.ok(first.sources.nvidiaSmiCalls.length > 0 && first.sources.probeCalls.length > 0, 'the first process discovers and probes');
  assert.ok(existsSync(path));

  time.advance(DISCOVERY_CACHE_MS - 1000);
  const second = service();
  assert.deepEqual((await second.devices.resolve({})).map((w) => [w.deviceId, w.session]), workers.map((w) => [w.deviceId, w.session]));
  assert.equal(second.sources.nvidiaSmiCalls.length, 0, 'discovery came from the cache');
  assert.equal(second.sources.probeCalls.length, 0, 'probe outcomes came from the cache');

  time.advance(2000);
  const third = service();
  await third.devices.resolve({});
  assert.ok(third.sources.nvidiaSmiCalls.length > 0, 'past the lifetime it discovers again');
  assert.ok(third.sources.probeCalls.length > 0, 'and probes again');
});

test('invalidated on error: a failed session (invalidate), a refresh, or a failed discovery leaves nothing to reuse', async () => {
  const { service, path } = setup();
  await service().devices.resolve({});
  const failedSession = service();
  await failedSession.devices.resolve({});
  failedSession.devices.invalidate();
  assert.equal(existsSync(path), false);
  await failedSession.devices.resolve({});
  assert.ok(failedSession.sources.nvidiaSmiCalls.length > 0, 'the same process looks again after invalidate');

  const refreshed = service();
  refreshed.devices.refresh();
  assert.equal(existsSync(path), false);

  const { service: brokenService, path: brokenPath } = setup({
    nvidiaSmi: async () => {
      throw new Error('nvidia-smi hung');
    },
  });
  const broken = brokenService();
  broken.sources.cpu = async () => {
    throw new Error('cannot read /proc/meminfo');
  };
  await assert.rejects(broken.devices.resolve({}), /meminfo/);
  assert.equal(existsSync(brokenPath), false, 'a discovery that failed is not cached');
});

test('what the user is shown is looked up afresh (heirloom devices, settings, the studio) and renews the cache', async () => {
  const { service } = setup();
  await service().devices.resolve({});
  const shown = service();
  await shown.devices.list();
  assert.ok(shown.sources.nvidiaSmiCalls.length > 0, 'list() discovers even with a fresh cache');
  assert.ok(shown.sources.probeCalls.length > 0, 'and really probes');
  const after = service();
  await after.devices.resolve({});
  assert.equal(after.sources.nvidiaSmiCalls.length, 0, 'a job right after reuses what list() found');
});

test('a provider failure answered from the cache says it was remembered', async () => {
  const { service } = setup({ probe: (provider) => (provider === 'cuda' ? { ok: false, reason: 'no CUDA-capable device is detected', ms: 5 } : { ok: true, ms: 1 }) });
  const first = await service().devices.resolve({ provider: 'cuda' });
  assert.match(first[0]!.warnings.map((w) => w.message).join(' '), /no CUDA-capable device is detected\. Running on the CPU/);
  const second = service();
  const again = await second.devices.resolve({ provider: 'cuda' });
  assert.equal(second.sources.probeCalls.length, 0);
  assert.equal(again[0]!.deviceId, 'cpu');
  assert.match(again[0]!.warnings.map((w) => w.message).join(' '), /no CUDA-capable device is detected \(checked \d+ s ago and remembered for a few minutes; "heirloom devices" checks again\)/);
});

test('a damaged, invalid or foreign cache file is a miss, and a damaged one is removed', async () => {
  const { path, cache, service } = setup();
  writeFileSync(path, '{ not json');
  assert.equal(cache().readDiscovery(), undefined);
  assert.equal(existsSync(path), false);

  await service().devices.resolve({});
  const valid = JSON.parse(readFileSync(path, 'utf8')) as { discovery: { devices: Array<{ kind: string }> } };
  valid.discovery.devices[0]!.kind = 'quantum-gpu';
  writeFileSync(path, JSON.stringify(valid));
  assert.equal(cache().readDiscovery(), undefined, 'validated: an unknown device kind is refused');

  await service().devices.resolve({});
  assert.ok(cache().readDiscovery());
  const time = clock();
  const foreign = new DiscoveryCache(path, 'linux-two-nvidia with CUDA_VISIBLE_DEVICES=1', DISCOVERY_CACHE_MS, time.now);
  assert.equal(foreign.readDiscovery(), undefined, 'another environment reads the hardware differently');
  assert.notEqual(discoveryFingerprint({ CUDA_VISIBLE_DEVICES: '1' }), discoveryFingerprint({}));
});
