import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMemoryBudget, parseMemoryBudget, parseSettingAssignments } from '../../../src/core/devices/setting-assignments.js';

const gpu = { id: 'pci-0000:01:00.0', candidates: ['cuda', 'webgpu'] as const, unavailable: {}, memoryTotalBytes: 12 * 1024 ** 3 };

test('key=value words: kebab-case keys, every kind of value, "default" resets', () => {
  const changes = parseSettingAssignments(['enabled=no', 'provider=webgpu', 'precision=fp16', 'tile-size=0', 'memory-budget=75%', 'max-batch=6', 'threads=auto', 'maxBatch=default'], { ...gpu, candidates: [...gpu.candidates] });
  assert.deepEqual(changes.values, { enabled: false, provider: 'webgpu', precision: 'fp16', tileSize: 0, memoryBudget: { kind: 'fraction', value: 0.75 }, threads: 'auto' });
  assert.deepEqual(changes.reset, ['maxBatch']);
});

test('memory budgets: fractions of free memory or sizes', () => {
  assert.deepEqual(parseMemoryBudget('0.8'), { kind: 'fraction', value: 0.8 });
  assert.deepEqual(parseMemoryBudget('80%'), { kind: 'fraction', value: 0.8 });
  assert.deepEqual(parseMemoryBudget('6GB'), { kind: 'bytes', value: 6 * 1024 ** 3 });
  assert.deepEqual(parseMemoryBudget('6.5 GiB'), { kind: 'bytes', value: 6.5 * 1024 ** 3 });
  assert.deepEqual(parseMemoryBudget('512MB'), { kind: 'bytes', value: 512 * 1024 ** 2 });
  for (const bad of ['0', '1.5', '0%', '120%', '10MB', 'lots', '-1GB']) assert.equal(parseMemoryBudget(bad), undefined, bad);
  assert.equal(formatMemoryBudget({ kind: 'fraction', value: 0.8 }), '80% of free');
  assert.equal(formatMemoryBudget({ kind: 'bytes', value: 6 * 1024 ** 3 }), '6.0 GB');
});

test('nothing to set is an error', () => {
  assert.throws(() => parseSettingAssignments([], { ...gpu, candidates: [...gpu.candidates] }), /Nothing to set/);
});
