import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeirloomError } from '../../../src/shared/errors.js';
import { DeviceService, type DeviceWarning } from '../../../src/core/devices/device-service.js';
import { openDatabase } from '../../../src/core/store/database.js';
import { DeviceSettingsStore } from '../../../src/core/store/device-settings-store.js';
import { fixtureSources, type FixtureOptions, type Machine } from './fixture-sources.js';

const MIB = 1024 * 1024;
const CUDA_MISSING = 'the CUDA provider libraries are not installed (libonnxruntime_providers_cuda.so missing)';

function service(machine: Machine, options: FixtureOptions = {}, db = openDatabase(':memory:')) {
  const sources = fixtureSources(machine, options);
  return { devices: new DeviceService(new DeviceSettingsStore(db), sources), sources, db };
}

const rejectsWith = (code: string, pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof HeirloomError, String(error));
  assert.equal(error.code, code);
  assert.match(error.message, pattern);
  return true;
};

test('presets come from the architecture: Ampere on CUDA gets fp16, Turing fp32; the CPU waits while GPUs work', async () => {
  const { devices } = service('linux-two-nvidia');
  const [t4, a100, cpu] = await devices.list();
  assert.deepEqual(t4!.settings, { enabled: true, provider: 'cuda', precision: 'fp32', tileSize: 'auto', memoryBudget: { kind: 'fraction', value: 0.8 }, maxBatch: 8, threads: 'auto' });
  assert.equal(a100!.settings.precision, 'fp16');
  assert.equal(cpu!.settings.enabled, false);
  assert.deepEqual(t4!.warnings, []);
});

test('presets on the other machines: RDNA3 on WebGPU fp16, the iGPU off with a smaller budget, Apple fp16 with half of unified memory, CPU-only enabled', async () => {
  const amd = await service('linux-amd-intel').devices.list();
  assert.deepEqual(amd.map((d) => [d.id, d.settings.enabled, d.settings.provider, d.settings.precision, d.settings.memoryBudget.value, d.settings.maxBatch]), [
    ['pci-0000:03:00.0', true, 'webgpu', 'fp16', 0.8, 8],
    ['pci-0000:00:02.0', false, 'cpu', 'fp32', 0.5, 4],
    ['cpu', false, 'cpu', 'fp32', 0.8, 8],
  ]);
  assert.deepEqual(amd[1]!.warnings, [], 'a disabled iGPU does no work, so nothing falls back');
  assert.match(amd[1]!.unavailable.webgpu ?? '', /high-performance adapter/);
  const apple = await service('apple-silicon').devices.list();
  assert.deepEqual(apple.map((d) => [d.id, d.settings.enabled, d.settings.provider, d.settings.precision, d.settings.memoryBudget.value]), [
    ['apple-m2-pro-0', true, 'coreml', 'fp16', 0.5],
    ['cpu', false, 'cpu', 'fp32', 0.8],
  ]);
  const none = await service('linux-no-gpu').devices.list();
  assert.deepEqual(none.map((d) => [d.id, d.settings.enabled]), [['cpu', true]]);
});

test('one worker per enabled GPU, each on its own CUDA device number and its own memory reader', async () => {
  const { devices } = service('linux-two-nvidia');
  const workers = await devices.resolve({});
  assert.deepEqual(workers.map((w) => [w.deviceId, w.session, w.settings.precision, w.fellBack]), [
    ['pci-0000:3b:00.0', { provider: 'cuda', deviceId: 0 }, 'fp32', false],
    ['pci-0000:81:00.0', { provider: 'cuda', deviceId: 1 }, 'fp16', false],
  ]);
  assert.equal(await workers[0]!.readFreeMemory(), 14913 * MIB);
  assert.equal(await workers[1]!.readFreeMemory(), 81037 * MIB);
  assert.equal(workers[1]!.memoryBudgetBytes, Math.floor(81037 * MIB * 0.8));
});

test('Windows: the GPU listed first by WMI (RTX 4090) runs on CUDA device 1, its bus position', async () => {
  const { devices } = service('windows-two-nvidia');
  const [worker] = await devices.resolve({ deviceId: 'pci-0000:41:00.0' });
  assert.deepEqual(worker!.session, { provider: 'cuda', deviceId: 1 });
  assert.equal(worker!.name, 'NVIDIA GeForce RTX 4090');
  assert.equal(worker!.settings.precision, 'fp16');
});

test('CUDA libraries missing: each GPU falls back to the CPU loudly, the CPU worker is shared, listeners hear it', async () => {
  const { devices } = service('linux-two-nvidia', { probe: (p) => (p === 'cuda' ? { ok: false, reason: CUDA_MISSING, ms: 2 } : { ok: true, ms: 2 }) });
  const heard: DeviceWarning[] = [];
  devices.onWarning((w) => heard.push(w));
  const workers = await devices.resolve({});
  assert.equal(workers.length, 1);
  const [cpu] = workers;
  assert.equal(cpu!.deviceId, 'cpu');
  assert.equal(cpu!.fellBack, true);
  assert.deepEqual(cpu!.session, { provider: 'cpu' });
  assert.equal(cpu!.settings.precision, 'fp32');
  assert.equal(cpu!.warnings.length, 2);
  for (const warning of cpu!.warnings) {
    assert.equal(warning.code, 'PROVIDER_UNAVAILABLE');
    assert.match(warning.message, /the CUDA provider could not be loaded: the CUDA provider libraries are not installed.*Running on the CPU instead/);
  }
  assert.deepEqual(heard.map((h) => [h.deviceId, h.provider]), [['pci-0000:3b:00.0', 'cuda'], ['pci-0000:81:00.0', 'cuda']]);

  const listed = await devices.get('pci-0000:81:00.0');
  assert.equal(listed.configured.provider, 'cuda');
  assert.equal(listed.settings.provider, 'cpu');
  assert.equal(listed.runsOn, 'cpu');
  assert.deepEqual(listed.providers, []);
  assert.equal(listed.unavailable.cuda, CUDA_MISSING);
  assert.match(listed.warnings.join('\n'), /CUDA provider could not be loaded/);
});

test('a preset provider that fails is skipped for the next one, with a warning', async () => {
  const { devices } = service('apple-silicon', { probe: (p) => (p === 'coreml' ? { ok: false, reason: 'CoreML model compilation failed', ms: 2 } : { ok: true, ms: 2 }) });
  const [worker] = await devices.resolve({});
  assert.equal(worker!.deviceId, 'apple-m2-pro-0');
  assert.deepEqual(worker!.session, { provider: 'webgpu' });
  assert.match(worker!.warnings.map((w) => w.message).join('\n'), /CoreML could not be loaded \(CoreML model compilation failed\); using WebGPU instead/);
});

test('--provider with no device offering it: the runtime is asked, and its reason goes with the CPU fallback', async () => {
  const reason = 'Failed to get a WebGPU adapter: No supported adapters';
  const { devices, sources } = service('linux-no-gpu', { probe: (p) => (p === 'webgpu' ? { ok: false, reason, ms: 80 } : { ok: true, ms: 1 }) });
  const [worker] = await devices.resolve({ provider: 'webgpu' });
  assert.deepEqual(sources.probeCalls, [['webgpu', undefined]]);
  assert.equal(worker!.deviceId, 'cpu');
  assert.equal(worker!.fellBack, true);
  assert.equal(worker!.warnings[0]!.code, 'PROVIDER_UNAVAILABLE');
  assert.equal(worker!.warnings[0]!.message, `The WebGPU provider could not be loaded: ${reason}. Running on the CPU instead.`);
});

test('--provider picks the device that offers it; --provider cpu runs a GPU\'s work on the CPU without a warning', async () => {
  const { devices } = service('linux-amd-intel');
  const [webgpu] = await devices.resolve({ provider: 'webgpu' });
  assert.equal(webgpu!.deviceId, 'pci-0000:03:00.0');
  assert.deepEqual(webgpu!.session, { provider: 'webgpu' });
  const [cpu] = await devices.resolve({ deviceId: 'pci-0000:03:00.0', provider: 'cpu', threads: 3 });
  assert.equal(cpu!.deviceId, 'cpu');
  assert.equal(cpu!.requestedDeviceId, 'pci-0000:03:00.0');
  assert.deepEqual(cpu!.session, { provider: 'cpu', threads: 3 });
  assert.deepEqual(cpu!.warnings, []);
});

test('impossible requests are errors, never a silent guess', async () => {
  const { devices } = service('linux-amd-intel');
  await assert.rejects(devices.resolve({ deviceId: 'pci-0000:99:00.0' }), rejectsWith('DEVICE_NOT_FOUND', /pci-0000:99:00\.0.*pci-0000:03:00\.0, pci-0000:00:02\.0, cpu/));
  await assert.rejects(devices.resolve({ deviceId: 'pci-0000:03:00.0', provider: 'cuda' }), rejectsWith('USAGE', /cannot use the cuda provider.*It can use: webgpu/));
  await assert.rejects(devices.resolve({ deviceId: 'cpu', provider: 'webgpu' }), rejectsWith('USAGE', /cpu/));
});

test('a GPU with no provider, enabled by the user, runs on the CPU with every reason listed', async () => {
  const { devices } = service('linux-amd-intel');
  await devices.updateSettings('pci-0000:00:02.0', ['enabled=true']);
  const [worker] = await devices.resolve({ deviceId: 'pci-0000:00:02.0' });
  assert.equal(worker!.deviceId, 'cpu');
  assert.match(worker!.warnings[0]!.message, /Intel UHD Graphics 770 \(pci-0000:00:02\.0\) has no provider that can run on it \(WebGPU: WebGPU picks the high-performance adapter, AMD Radeon/);
});

test('settings: the user\'s values override presets, persist in SQLite, and "default" restores the preset', async () => {
  const db = openDatabase(':memory:');
  const first = service('linux-two-nvidia', {}, db).devices;
  const updated = await first.updateSettings('pci-0000:81:00.0', ['precision=fp32', 'tile-size=512', 'memoryBudget=40GB', 'maxBatch=4', 'threads=2']);
  assert.deepEqual(updated.overrides, { precision: 'fp32', tileSize: 512, memoryBudget: { kind: 'bytes', value: 40 * 1024 ** 3 }, maxBatch: 4, threads: 2 });

  const second = service('linux-two-nvidia', {}, db).devices;
  const [, a100] = await second.resolve({});
  assert.deepEqual(a100!.settings, { enabled: true, provider: 'cuda', precision: 'fp32', tileSize: 512, memoryBudget: { kind: 'bytes', value: 40 * 1024 ** 3 }, maxBatch: 4, threads: 2 });
  assert.deepEqual(a100!.session, { provider: 'cuda', deviceId: 1, threads: 2 });
  assert.equal(a100!.memoryBudgetBytes, 40 * 1024 ** 3);

  const reset = await second.updateSettings('pci-0000:81:00.0', ['precision=default', 'memoryBudget=default']);
  assert.equal(reset.configured.precision, 'fp16');
  assert.deepEqual(reset.configured.memoryBudget, { kind: 'fraction', value: 0.8 });
  assert.equal(reset.configured.maxBatch, 4);
});

test('settings: unknown keys, bad values and impossible combinations are INVALID_SETTING and store nothing', async () => {
  const { devices } = service('linux-two-nvidia');
  const cases: Array<[string, string[], RegExp]> = [
    ['cpu', ['speed=fast'], /Unknown setting "speed"/],
    ['cpu', ['maxBatch=0'], /maxBatch=0 is not valid.*1 to 64/],
    ['cpu', ['tileSize=16'], /tileSize=16 is not valid/],
    ['cpu', ['threads=many'], /threads=many/],
    ['cpu', ['memoryBudget=150%'], /memoryBudget=150%/],
    ['cpu', ['enabled=maybe'], /enabled=maybe/],
    ['cpu', ['precision=fp16'], /fp16 needs a GPU provider/],
    ['cpu', ['maxBatch'], /not key=value/],
    ['pci-0000:3b:00.0', ['provider=webgpu'], /cannot use the webgpu provider: WebGPU chooses the GPU itself, and with 2 GPUs/],
    ['pci-0000:3b:00.0', ['memoryBudget=64GB'], /more than device pci-0000:3b:00\.0 has \(15\.0 GB\)/],
  ];
  for (const [id, assignments, pattern] of cases) {
    await assert.rejects(devices.updateSettings(id, assignments), rejectsWith('INVALID_SETTING', pattern), assignments.join(' '));
  }
  await assert.rejects(devices.updateSettings('nope', ['enabled=true']), rejectsWith('DEVICE_NOT_FOUND', /nope/));
  assert.deepEqual((await devices.get('cpu')).overrides, {});
});

test('every device disabled: the CPU still works, with a warning that says how to enable one', async () => {
  const { devices } = service('linux-two-nvidia');
  await devices.updateSettings('pci-0000:3b:00.0', ['enabled=false']);
  await devices.updateSettings('pci-0000:81:00.0', ['enabled=off']);
  const workers = await devices.resolve({});
  assert.deepEqual(workers.map((w) => w.deviceId), ['cpu']);
  assert.match(workers[0]!.warnings[0]!.message, /Every device is disabled/);
});

test('the CPU enabled next to GPUs becomes one more worker on the shared queue', async () => {
  const { devices } = service('linux-two-nvidia');
  await devices.updateSettings('cpu', ['enabled=true', 'threads=8']);
  const workers = await devices.resolve({ threads: 4 });
  assert.deepEqual(workers.map((w) => [w.deviceId, w.session]), [
    ['pci-0000:3b:00.0', { provider: 'cuda', deviceId: 0 }],
    ['pci-0000:81:00.0', { provider: 'cuda', deviceId: 1 }],
    ['cpu', { provider: 'cpu', threads: 4 }],
  ]);
});

test('settings of a device that is not plugged in stay stored and are listed as absent', async () => {
  const db = openDatabase(':memory:');
  await service('linux-amd-intel', {}, db).devices.updateSettings('pci-0000:03:00.0', ['maxBatch=2']);
  const elsewhere = service('linux-no-gpu', {}, db).devices;
  assert.deepEqual(await elsewhere.absentDeviceSettings(), [{ deviceId: 'pci-0000:03:00.0', deviceName: 'AMD Radeon RX 7900 XT/7900 XTX/7900M', values: { maxBatch: 2 } }]);
});

test('CUDA_DEVICE_ORDER is pinned to PCI_BUS_ID unless the user chose an order', () => {
  const pinned = fixtureSources('linux-no-gpu');
  new DeviceService(new DeviceSettingsStore(openDatabase(':memory:')), pinned);
  assert.equal(pinned.env.CUDA_DEVICE_ORDER, 'PCI_BUS_ID');
  const chosen = fixtureSources('linux-no-gpu', { env: { CUDA_DEVICE_ORDER: 'FASTEST_FIRST' } });
  new DeviceService(new DeviceSettingsStore(openDatabase(':memory:')), chosen);
  assert.equal(chosen.env.CUDA_DEVICE_ORDER, 'FASTEST_FIRST');
});
