import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { nvidiaSmiQueryArgs, parseNvidiaSmi, NVIDIA_SMI_FIELDS_WITHOUT_COMPUTE_CAP } from '../../../src/core/devices/nvidia-smi.js';
import { normalizePciBusId } from '../../../src/core/devices/pci-bus-id.js';
import { fixturePath } from './fixture-sources.js';

test('the query is the documented one', () => {
  assert.deepEqual(nvidiaSmiQueryArgs(), ['--query-gpu=index,pci.bus_id,name,memory.total,memory.free,driver_version,compute_cap', '--format=csv,noheader,nounits']);
});

test('parses the recorded Windows output (CRLF, bus order) into bytes and canonical bus ids', () => {
  const gpus = parseNvidiaSmi(readFileSync(fixturePath('windows-two-nvidia', 'nvidia-smi.txt'), 'utf8'));
  assert.deepEqual(gpus, [
    { index: 0, pciBusId: '0000:01:00.0', name: 'NVIDIA GeForce RTX 3060', memoryTotalBytes: 12288 * 1048576, memoryFreeBytes: 11069 * 1048576, driver: '560.94', computeCapability: '8.6' },
    { index: 1, pciBusId: '0000:41:00.0', name: 'NVIDIA GeForce RTX 4090', memoryTotalBytes: 24564 * 1048576, memoryFreeBytes: 22600 * 1048576, driver: '560.94', computeCapability: '8.9' },
  ]);
});

test('[N/A] and [Not Supported] values are left out; rows without a bus id are dropped', () => {
  const text = ['0, 00000009:01:00.0, NVIDIA GH200 480GB, [N/A], [N/A], 550.90.07, 9.0', '1, [N/A], Broken GPU, 100, 50, 550.90.07, 8.0', 'garbage line'].join('\n');
  assert.deepEqual(parseNvidiaSmi(text), [{ index: 0, pciBusId: '0009:01:00.0', name: 'NVIDIA GH200 480GB', driver: '550.90.07', computeCapability: '9.0' }]);
});

test('parses output without compute_cap when asked with the shorter field list', () => {
  const gpus = parseNvidiaSmi('0, 00000000:3B:00.0, Tesla T4, 15360, 14913, 470.82.01\n', NVIDIA_SMI_FIELDS_WITHOUT_COMPUTE_CAP);
  assert.equal(gpus[0]?.computeCapability, undefined);
  assert.equal(gpus[0]?.driver, '470.82.01');
});

test('bus ids from lspci, nvidia-smi and sysfs normalise to one form', () => {
  assert.equal(normalizePciBusId('3b:00.0'), '0000:3b:00.0');
  assert.equal(normalizePciBusId('00000000:3B:00.0'), '0000:3b:00.0');
  assert.equal(normalizePciBusId('0000:3b:00.0'), '0000:3b:00.0');
  assert.equal(normalizePciBusId('00010000:E0:06.0'), '10000:e0:06.0', 'Intel VMD domains are wider than 16 bits');
  assert.equal(normalizePciBusId('1:0.0'), '0000:01:00.0');
  assert.equal(normalizePciBusId('PCI\\VEN_10DE'), undefined);
  assert.equal(normalizePciBusId(''), undefined);
});
