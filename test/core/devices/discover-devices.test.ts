import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discoverDevices, type DiscoveredDevice } from '../../../src/core/devices/discover-devices.js';
import { fixtureSources } from './fixture-sources.js';
import { compactSettings } from '../../../src/shared/job-settings.js';

const MIB = 1024 * 1024;
const byId = (devices: DiscoveredDevice[], id: string) => {
  const device = devices.find((d) => d.id === id);
  assert.ok(device, `device ${id} in ${devices.map((d) => d.id).join(', ')}`);
  return device;
};

test('Linux server: the BMC display adapter is ignored, GPUs are keyed by PCI bus id and numbered for CUDA in bus order', async () => {
  const { devices, notes } = await discoverDevices(fixtureSources('linux-two-nvidia'));
  assert.deepEqual(devices.map((d) => d.id), ['pci-0000:3b:00.0', 'pci-0000:81:00.0', 'cpu']);
  assert.ok(notes.some((n) => n.includes('ASPEED Graphics Family')), notes.join('\n'));

  const t4 = byId(devices, 'pci-0000:3b:00.0');
  assert.equal(t4.name, 'NVIDIA Tesla T4');
  assert.equal(t4.vendor, 'NVIDIA');
  assert.equal(t4.kind, 'discrete-gpu');
  assert.equal(t4.architecture, 'Turing');
  assert.equal(t4.computeCapability, '7.5');
  assert.equal(t4.memoryTotalBytes, 15360 * MIB);
  assert.equal(t4.memoryFreeBytes, 14913 * MIB);
  assert.equal(t4.driver, '550.54.15');
  assert.deepEqual(t4.candidates, ['cuda']);
  assert.deepEqual(t4.providerDeviceIds, { cuda: 0 });
  assert.match(t4.unavailable.webgpu ?? '', /2 GPUs/);

  const a100 = byId(devices, 'pci-0000:81:00.0');
  assert.equal(a100.name, 'NVIDIA A100 80GB PCIe');
  assert.equal(a100.architecture, 'Ampere');
  assert.deepEqual(a100.providerDeviceIds, { cuda: 1 });

  const cpu = byId(devices, 'cpu');
  assert.equal(cpu.kind, 'cpu');
  assert.equal(cpu.vendor, 'Intel');
  assert.deepEqual(cpu.providers, ['cpu']);
  assert.equal(cpu.memoryTotalBytes, 405353066496);
});

test('CUDA_VISIBLE_DEVICES renumbers the visible GPUs; the hidden one gets no CUDA provider and says why', async () => {
  const { devices } = await discoverDevices(fixtureSources('linux-two-nvidia', { env: { CUDA_DEVICE_ORDER: 'PCI_BUS_ID', CUDA_VISIBLE_DEVICES: '1' } }));
  const t4 = byId(devices, 'pci-0000:3b:00.0');
  const a100 = byId(devices, 'pci-0000:81:00.0');
  assert.deepEqual(a100.providerDeviceIds, { cuda: 0 });
  assert.deepEqual(t4.candidates, []);
  assert.match(t4.unavailable.cuda ?? '', /hides 0000:3b:00\.0/);
});

test('a CUDA device order that cannot be tied to bus ids disables CUDA on several GPUs instead of guessing', async () => {
  const { devices, notes } = await discoverDevices(fixtureSources('linux-two-nvidia', { env: { CUDA_DEVICE_ORDER: 'FASTEST_FIRST' } }));
  for (const id of ['pci-0000:3b:00.0', 'pci-0000:81:00.0']) {
    assert.deepEqual(byId(devices, id).candidates, []);
    assert.match(byId(devices, id).unavailable.cuda ?? '', /FASTEST_FIRST/);
  }
  assert.ok(notes.some((n) => n.includes('CUDA_DEVICE_ORDER=FASTEST_FIRST')));
});

test('without nvidia-smi, lspci bus ids still give the same ids and the chip names give the architectures', async () => {
  const sources = fixtureSources('linux-two-nvidia', {
    nvidiaSmi: async () => undefined,
    // What systeminformation reports when it could not merge nvidia-smi data either.
    controllers: (recorded) => recorded.map(({ vendor, model, bus, busAddress, vram, vramDynamic }) => compactSettings({ vendor, model, bus, busAddress, vram, vramDynamic })),
  });
  const { devices } = await discoverDevices(sources);
  assert.deepEqual(devices.map((d) => d.id), ['pci-0000:3b:00.0', 'pci-0000:81:00.0', 'cpu']);
  assert.equal(byId(devices, 'pci-0000:3b:00.0').architecture, 'Turing');
  assert.equal(byId(devices, 'pci-0000:3b:00.0').name, 'NVIDIA Tesla T4');
  assert.equal(byId(devices, 'pci-0000:81:00.0').architecture, 'Ampere');
  assert.equal(byId(devices, 'pci-0000:81:00.0').memoryTotalBytes, undefined, 'lspci BAR sizes are not VRAM');
});

test('an nvidia-smi too old for compute_cap is asked again without it', async () => {
  const sources = fixtureSources('linux-two-nvidia', {
    nvidiaSmi: async (args, recorded) => {
      if (args[0]!.includes('compute_cap')) throw new Error('Field "compute_cap" is not a valid field to query.');
      return recorded!.replace(/, \d+\.\d+\s*$/gm, '');
    },
  });
  const { devices, notes } = await discoverDevices(sources);
  assert.equal(sources.nvidiaSmiCalls.length, 2);
  assert.equal(byId(devices, 'pci-0000:81:00.0').computeCapability, undefined);
  assert.equal(byId(devices, 'pci-0000:81:00.0').architecture, 'Ampere');
  assert.equal(byId(devices, 'pci-0000:81:00.0').driver, '550.54.15');
  assert.ok(notes.some((n) => n.includes('too old')));
});

test('a failing nvidia-smi is a note, and the GPUs systeminformation saw remain', async () => {
  const sources = fixtureSources('linux-two-nvidia', {
    nvidiaSmi: async () => {
      throw new Error("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.");
    },
  });
  const { devices, notes } = await discoverDevices(sources);
  assert.equal(devices.length, 3);
  assert.ok(notes.some((n) => n.startsWith('nvidia-smi failed: NVIDIA-SMI has failed')), notes.join('\n'));
});

test('Windows: WMI and nvidia-smi list the two GPUs in opposite orders; ids, facts and CUDA numbers follow the bus id', async () => {
  const sources = fixtureSources('windows-two-nvidia');
  const recorded = await sources.graphics();
  assert.deepEqual(recorded.map((c) => c.model), ['NVIDIA GeForce RTX 4090', 'NVIDIA GeForce RTX 3060'], 'systeminformation lists the 4090 first');
  assert.match((await sources.nvidiaSmi(['--query-gpu=index,name']))!, /^0, NVIDIA GeForce RTX 3060/, 'nvidia-smi lists the 3060 first');

  const { devices } = await discoverDevices(sources);
  assert.deepEqual(devices.map((d) => d.id), ['pci-0000:01:00.0', 'pci-0000:41:00.0', 'cpu']);
  const rtx3060 = byId(devices, 'pci-0000:01:00.0');
  const rtx4090 = byId(devices, 'pci-0000:41:00.0');
  assert.equal(rtx3060.name, 'NVIDIA GeForce RTX 3060');
  assert.equal(rtx3060.memoryTotalBytes, 12288 * MIB);
  assert.equal(rtx3060.architecture, 'Ampere');
  assert.deepEqual(rtx3060.providerDeviceIds, { cuda: 0 });
  assert.equal(rtx4090.name, 'NVIDIA GeForce RTX 4090');
  assert.equal(rtx4090.memoryTotalBytes, 24564 * MIB);
  assert.equal(rtx4090.architecture, 'Ada');
  assert.deepEqual(rtx4090.providerDeviceIds, { cuda: 1 }, 'CUDA device 1, not systeminformation position 0');
  for (const gpu of [rtx3060, rtx4090]) {
    assert.deepEqual(gpu.candidates, ['cuda']);
    assert.match(gpu.unavailable.dml ?? '', /DXGI order/);
  }
});

test('Windows without bus ids from systeminformation: GPUs are paired with nvidia-smi by name', async () => {
  const sources = fixtureSources('windows-two-nvidia', { controllers: (recorded) => recorded.map(({ pciBus: _pciBus, ...rest }) => rest) });
  const { devices } = await discoverDevices(sources);
  assert.deepEqual(devices.map((d) => [d.id, d.name, d.providerDeviceIds.cuda]), [
    ['pci-0000:01:00.0', 'NVIDIA GeForce RTX 3060', 0],
    ['pci-0000:41:00.0', 'NVIDIA GeForce RTX 4090', 1],
    ['cpu', 'AMD Ryzen 9 7950X 16-Core Processor (32 threads)', undefined],
  ]);
});

test('two identical cards that systeminformation gave the same bus id still become two devices', async () => {
  const card = { vendor: 'NVIDIA', model: 'NVIDIA GeForce RTX 3090', bus: 'PCI', vram: 24576, vramDynamic: false, name: 'NVIDIA GeForce RTX 3090', pciBus: '00000000:01:00.0' };
  const sources = fixtureSources('windows-two-nvidia', {
    controllers: () => [card, { ...card }],
    nvidiaSmi: async () => '0, 00000000:01:00.0, NVIDIA GeForce RTX 3090, 24576, 23000, 560.94, 8.6\n1, 00000000:02:00.0, NVIDIA GeForce RTX 3090, 24576, 24000, 560.94, 8.6\n',
  });
  const { devices } = await discoverDevices(sources);
  assert.deepEqual(devices.map((d) => [d.id, d.providerDeviceIds.cuda, d.memoryFreeBytes]), [
    ['pci-0000:01:00.0', 0, 23000 * MIB],
    ['pci-0000:02:00.0', 1, 24000 * MIB],
    ['cpu', undefined, 51539607552],
  ]);
});

test('AMD discrete GPU plus Intel iGPU: VRAM from amdgpu sysfs, WebGPU only on the discrete GPU, the iGPU integrated', async () => {
  const { devices } = await discoverDevices(fixtureSources('linux-amd-intel'));
  assert.deepEqual(devices.map((d) => d.id), ['pci-0000:03:00.0', 'pci-0000:00:02.0', 'cpu']);
  const radeon = byId(devices, 'pci-0000:03:00.0');
  assert.equal(radeon.vendor, 'AMD');
  assert.equal(radeon.name, 'AMD Radeon RX 7900 XT/7900 XTX/7900M');
  assert.equal(radeon.kind, 'discrete-gpu');
  assert.equal(radeon.architecture, 'RDNA3');
  assert.equal(radeon.memoryTotalBytes, 25753026560, 'sysfs VRAM, not the 32 GB resizable-BAR region lspci shows');
  assert.equal(radeon.memoryFreeBytes, 25753026560 - 1288491008);
  assert.deepEqual(radeon.candidates, ['webgpu']);
  assert.equal(radeon.unavailable.cuda, undefined, 'CUDA is not even considered for AMD');

  const uhd = byId(devices, 'pci-0000:00:02.0');
  assert.equal(uhd.vendor, 'Intel');
  assert.equal(uhd.name, 'Intel UHD Graphics 770');
  assert.equal(uhd.kind, 'integrated-gpu');
  assert.equal(uhd.architecture, 'Intel Xe');
  assert.equal(uhd.memoryTotalBytes, 33406382080, 'an iGPU allocates from system memory');
  assert.deepEqual(uhd.candidates, []);
  assert.match(uhd.unavailable.webgpu ?? '', /AMD Radeon RX 7900/);
});

test('Apple Silicon: one integrated GPU with unified memory, CoreML before WebGPU, id from vendor and name', async () => {
  const { devices } = await discoverDevices(fixtureSources('apple-silicon'));
  assert.deepEqual(devices.map((d) => d.id), ['apple-m2-pro-0', 'cpu']);
  const m2 = byId(devices, 'apple-m2-pro-0');
  assert.equal(m2.vendor, 'Apple');
  assert.equal(m2.name, 'Apple M2 Pro');
  assert.equal(m2.kind, 'integrated-gpu');
  assert.equal(m2.architecture, 'Apple M-series');
  assert.equal(m2.pciBusId, undefined);
  assert.equal(m2.memoryTotalBytes, 34359738368);
  assert.deepEqual(m2.candidates, ['coreml', 'webgpu']);
  assert.equal(m2.unavailable.cuda, undefined);
  assert.equal(byId(devices, 'cpu').architecture, 'arm64');
});

test('no GPU: the VM display adapter is noted and the CPU is the only device', async () => {
  const { devices, notes } = await discoverDevices(fixtureSources('linux-no-gpu'));
  assert.deepEqual(devices.map((d) => d.id), ['cpu']);
  assert.equal(devices[0]!.name, 'AMD EPYC 7B13 (8 threads)');
  assert.ok(notes.some((n) => n.includes('Virtio 1.0 GPU')));
});

test('with probe, providers are the candidates that really loaded and failures keep their reason', async () => {
  const sources = fixtureSources('linux-two-nvidia', {
    probe: (provider, deviceId) => (provider === 'cuda' && deviceId === 1 ? { ok: false, reason: 'CUDA failure 2: out of memory', ms: 5 } : { ok: true, ms: 5 }),
  });
  const { devices } = await discoverDevices(sources, { probe: true });
  assert.deepEqual(sources.probeCalls, [['cuda', 0], ['cuda', 1]], 'each GPU is probed on its own CUDA device number');
  assert.deepEqual(byId(devices, 'pci-0000:3b:00.0').providers, ['cuda']);
  assert.deepEqual(byId(devices, 'pci-0000:81:00.0').providers, []);
  assert.equal(byId(devices, 'pci-0000:81:00.0').unavailable.cuda, 'CUDA failure 2: out of memory');
  assert.ok(devices.every((d) => d.probed));
});
