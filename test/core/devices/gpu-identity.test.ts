import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gpuArchitecture, nvidiaArchitectureFromComputeCapability } from '../../../src/core/devices/gpu-architecture.js';
import { gpuDisplayName, gpuVendorOf, isIntegratedGpu } from '../../../src/core/devices/gpu-vendor.js';
import { cudaOrdinals } from '../../../src/core/devices/cuda-ordinals.js';

test('compute capability names the NVIDIA architecture exactly', () => {
  const table: Array<[string, string]> = [['3.7', 'Kepler'], ['5.2', 'Maxwell'], ['6.1', 'Pascal'], ['7.0', 'Volta'], ['7.5', 'Turing'], ['8.0', 'Ampere'], ['8.6', 'Ampere'], ['8.9', 'Ada'], ['9.0', 'Hopper'], ['10.0', 'Blackwell'], ['12.0', 'Blackwell']];
  for (const [cc, arch] of table) assert.equal(nvidiaArchitectureFromComputeCapability(cc), arch, cc);
  assert.equal(gpuArchitecture('NVIDIA', ['NVIDIA GeForce RTX 3060'], '8.9'), 'Ada', 'compute capability wins over the name');
});

test('names give the architecture when there is no compute capability', () => {
  const cases: Array<[Parameters<typeof gpuArchitecture>[0], string, string]> = [
    ['NVIDIA', 'GA102 [GeForce RTX 3090]', 'Ampere'],
    ['NVIDIA', 'NVIDIA GeForce RTX 4070 Ti', 'Ada'],
    ['NVIDIA', 'NVIDIA H100 80GB HBM3', 'Hopper'],
    ['NVIDIA', 'NVIDIA GeForce RTX 5090', 'Blackwell'],
    ['NVIDIA', 'NVIDIA GeForce GTX 1660 SUPER', 'Turing'],
    ['NVIDIA', 'NVIDIA L4', 'Ada'],
    ['NVIDIA', 'NVIDIA RTX A4000', 'Ampere'],
    ['NVIDIA', 'NVIDIA GeForce GTX 1080 Ti', 'Pascal'],
    ['AMD', 'Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]', 'RDNA2'],
    ['AMD', 'AMD Radeon RX 7900 XTX', 'RDNA3'],
    ['AMD', 'Phoenix1', 'RDNA3'],
    ['AMD', 'Rembrandt [Radeon 680M]', 'RDNA2'],
    ['AMD', 'Navi 10 [Radeon RX 5600 OEM/5600 XT / 5700/5700 XT]', 'RDNA1'],
    ['AMD', 'AMD Radeon RX 9070 XT', 'RDNA4'],
    ['AMD', 'Cezanne [Radeon Vega Series / Radeon Vega Mobile Series]', 'GCN5'],
    ['Intel', 'Alder Lake-P GT2 [Iris Xe Graphics]', 'Intel Xe'],
    ['Intel', 'DG2 [Arc A770]', 'Intel Xe-HPG'],
    ['Intel', 'Intel Arc B580 Graphics', 'Intel Xe2'],
    ['Intel', 'Meteor Lake-P [Intel Arc Graphics]', 'Intel Xe-LPG'],
    ['Intel', 'CometLake-S GT2 [UHD Graphics 630]', 'Intel Gen9'],
    ['Apple', 'Apple M3 Max', 'Apple M-series'],
  ];
  for (const [vendor, name, arch] of cases) assert.equal(gpuArchitecture(vendor, [name]), arch, name);
  assert.equal(gpuArchitecture('NVIDIA', ['Some Future GPU']), undefined);
});

test('vendors from systeminformation strings and ids; display-only controllers are not GPUs', () => {
  assert.equal(gpuVendorOf('NVIDIA Corporation'), 'NVIDIA');
  assert.equal(gpuVendorOf('Advanced Micro Devices, Inc. [AMD/ATI]'), 'AMD');
  assert.equal(gpuVendorOf('Intel Corporation'), 'Intel');
  assert.equal(gpuVendorOf('', '0x05ac', 'Apple M1'), 'Apple');
  assert.equal(gpuVendorOf('', undefined, 'NVIDIA GeForce RTX 3060'), 'NVIDIA');
  assert.equal(gpuVendorOf('ASPEED Technology, Inc.', undefined, 'ASPEED Graphics Family'), undefined);
  assert.equal(gpuVendorOf('Matrox Electronics Systems Ltd.', undefined, 'G200eR2'), undefined);
  assert.equal(gpuVendorOf('Microsoft', undefined, 'Microsoft Basic Display Adapter'), undefined);
});

test('display names and integrated or discrete', () => {
  assert.equal(gpuDisplayName('NVIDIA', 'GA102 [GeForce RTX 3090]'), 'NVIDIA GeForce RTX 3090');
  assert.equal(gpuDisplayName('Apple', 'Apple M2 Pro'), 'Apple M2 Pro');
  assert.equal(isIntegratedGpu('Intel', 'Alder Lake-P GT2 [Iris Xe Graphics]', {}), true);
  assert.equal(isIntegratedGpu('Intel', 'DG2 [Arc A770]', {}), false);
  assert.equal(isIntegratedGpu('Intel', 'Meteor Lake-P [Intel Arc Graphics]', {}), true);
  assert.equal(isIntegratedGpu('AMD', 'Phoenix1', {}), true);
  assert.equal(isIntegratedGpu('AMD', 'Navi 31 [Radeon RX 7900 XT/7900 XTX/7900M]', {}), false);
  assert.equal(isIntegratedGpu('AMD', 'AMD Radeon(TM) Graphics', { vramDynamic: true }), true);
  assert.equal(isIntegratedGpu('NVIDIA', 'NVIDIA GeForce RTX 4090', {}), false);
  assert.equal(isIntegratedGpu('Apple', 'Apple M1', {}), true);
});

test('CUDA ordinals follow PCI bus order and CUDA_VISIBLE_DEVICES, never list positions', () => {
  const buses = ['0000:41:00.0', '0000:01:00.0', '0000:21:00.0'];
  assert.deepEqual([...cudaOrdinals(buses, { CUDA_DEVICE_ORDER: 'PCI_BUS_ID' }).byBusId], [['0000:01:00.0', 0], ['0000:21:00.0', 1], ['0000:41:00.0', 2]]);
  const visible = cudaOrdinals(buses, { CUDA_DEVICE_ORDER: 'PCI_BUS_ID', CUDA_VISIBLE_DEVICES: '2,0' });
  assert.deepEqual([...visible.byBusId], [['0000:41:00.0', 0], ['0000:01:00.0', 1]]);
  assert.match(visible.problem ?? '', /hides 0000:21:00\.0/);
  // CUDA stops at the first invalid entry.
  assert.deepEqual([...cudaOrdinals(buses, { CUDA_VISIBLE_DEVICES: '1,7,0' }).byBusId], [['0000:21:00.0', 0]]);
  assert.equal(cudaOrdinals(buses, { CUDA_VISIBLE_DEVICES: '' }).byBusId.size, 0);
  assert.match(cudaOrdinals(buses, { CUDA_VISIBLE_DEVICES: 'GPU-8f6c1f2a-1b2c' }).problem ?? '', /UUID/);
  const fastest = cudaOrdinals(buses, { CUDA_DEVICE_ORDER: 'FASTEST_FIRST' });
  assert.equal(fastest.byBusId.size, 0);
  assert.deepEqual([...cudaOrdinals(['0000:01:00.0'], { CUDA_DEVICE_ORDER: 'FASTEST_FIRST' }).byBusId], [['0000:01:00.0', 0]], 'one GPU is device 0 in any order');
});
