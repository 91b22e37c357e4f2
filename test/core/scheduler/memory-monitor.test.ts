import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryMonitor, readCpuAvailableMemory } from '../../../src/core/scheduler/memory-monitor.js';
import { isOutOfMemoryError, FaultInjector } from '../../../src/core/scheduler/out-of-memory.js';

test('reads at most once per TTL and smooths jumpy readings with a moving average', async () => {
  let now = 0;
  const readings = [1000, 3000, 2000, 9000];
  let reads = 0;
  const monitor = new MemoryMonitor(async () => readings[reads++]!, { ttlMs: 1000, window: 3, now: () => now });
  assert.equal(await monitor.freeBytes(), 1000);
  now = 500;
  assert.equal(await monitor.freeBytes(), 1000, 'cached within the TTL');
  assert.equal(reads, 1);
  now = 1000;
  assert.equal(await monitor.freeBytes(), 2000); // (1000+3000)/2
  now = 2000;
  assert.equal(await monitor.freeBytes(), 2000); // (1000+3000+2000)/3
  now = 3000;
  assert.equal(await monitor.freeBytes(), Math.round((3000 + 2000 + 9000) / 3), 'window drops the oldest');
  assert.equal(reads, 4);
});

test('CPU memory respects a cgroup v2 limit below MemAvailable', async () => {
  const root = mkdtempSync(join(tmpdir(), 'heirloom-proc-')) + '/';
  mkdirSync(join(root, 'proc'));
  mkdirSync(join(root, 'sys/fs/cgroup'), { recursive: true });
  writeFileSync(join(root, 'proc/meminfo'), 'MemTotal:       24000000 kB\nMemAvailable:   20000000 kB\n');
  assert.equal(await readCpuAvailableMemory(root), 20000000 * 1024);
  writeFileSync(join(root, 'sys/fs/cgroup/memory.max'), `${4 * 1024 ** 3}\n`);
  writeFileSync(join(root, 'sys/fs/cgroup/memory.current'), `${1024 ** 3}\n`);
  assert.equal(await readCpuAvailableMemory(root), 3 * 1024 ** 3);
  writeFileSync(join(root, 'sys/fs/cgroup/memory.max'), 'max\n');
  assert.equal(await readCpuAvailableMemory(root), 20000000 * 1024);
});

test('out-of-memory errors are recognised in CPU, CUDA and DirectML wording, and others are not', () => {
  for (const text of [
    'Failed to allocate memory for requested buffer of size 1073741824',
    'CUDA failure 2: out of memory ; GPU=0',
    'CUDNN_STATUS_ALLOC_FAILED',
    'The parameter is incorrect. (0x8007000E E_OUTOFMEMORY)',
    'std::bad_alloc',
  ]) assert.ok(isOutOfMemoryError(new Error(text)), text);
  assert.equal(isOutOfMemoryError(new Error('Invalid input name: foo')), false);
  const faults = new FaultInjector(1000);
  assert.doesNotThrow(() => faults.check(1, 1000));
  assert.throws(() => faults.check(2, 600), (e: unknown) => isOutOfMemoryError(e));
  assert.equal(FaultInjector.fromEnv({}).enabled, false);
});
