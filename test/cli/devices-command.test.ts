import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heirloom, jsonLines as lines, tempHome } from './devices-cli-helpers.js';

test('heirloom devices --json: one device per line with probed providers and the settings in force; the CPU is always there', async (t) => {
  // Separate data folders: two processes creating one fresh database at once race in its migration.
  const [json, human] = await Promise.all([
    heirloom(['devices', '--json', '--home', tempHome(t)]),
    heirloom(['devices', '--home', tempHome(t)]),
  ]);
  assert.equal(json.code, 0, json.stderr);
  const devices = lines(json.stdout);
  const cpu = devices.find((d) => d.id === 'cpu');
  assert.ok(cpu, json.stdout);
  assert.equal(cpu.kind, 'cpu');
  assert.deepEqual(cpu.providers, ['cpu']);
  assert.equal(cpu.probed, true);
  for (const device of devices) {
    assert.ok(typeof device.settings === 'object' && device.settings !== null, `settings for ${String(device.id)}`);
    assert.ok(Array.isArray(device.warnings));
  }
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^cpu {2}.+\n {2}CPU, .*\n {2}providers: cpu\n {2}settings: (enabled|disabled), cpu, fp32, tile auto, memory 80% of free, batch up to 8, threads auto\n/m);
});

test('heirloom settings set / get: values persist in the data folder and show as yours', async (t) => {
  const home = tempHome(t);
  const set = await heirloom(['settings', 'set', 'cpu', 'maxBatch=2', 'memory-budget=50%', 'threads=1', '--home', home]);
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, / {2}maxBatch {6}2 {14}yours\n/);
  assert.match(set.stdout, / {2}memoryBudget {2}50% of free {4}yours\n/);
  assert.match(set.stdout, / {2}precision {5}fp32 {11}preset\n/);

  const get = await heirloom(['settings', 'get', 'cpu', '--json', '--home', home]);
  assert.equal(get.code, 0, get.stderr);
  const cpu = lines(get.stdout)[0]!;
  assert.equal(cpu.present, true);
  assert.deepEqual(cpu.overrides, { maxBatch: 2, memoryBudget: { kind: 'fraction', value: 0.5 }, threads: 1 });
  assert.deepEqual(cpu.settings, { enabled: (cpu.settings as { enabled: boolean }).enabled, provider: 'cpu', precision: 'fp32', tileSize: 'auto', memoryBudget: { kind: 'fraction', value: 0.5 }, maxBatch: 2, threads: 1 });
});

test('bad settings and unknown devices exit 2 with a message that says what is allowed', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['settings', 'set', 'cpu', 'bogus=1'], /Unknown setting "bogus"\. Device settings are: enabled, provider, precision, tileSize, memoryBudget, maxBatch, threads/],
    [['settings', 'set', 'cpu', 'precision=fp16'], /precision=fp16 needs a GPU provider/],
    [['settings', 'set', 'no-such-gpu', 'enabled=true'], /No device with id "no-such-gpu".*heirloom devices/],
    [['restore', 'x.png', '--out', join(tmpdir(), 'heirloom-never-written'), '--provider', 'vulkan'], /--provider must be one of cpu, webgpu, cuda, dml, coreml, got "vulkan"/],
  ];
  const results = await Promise.all(cases.map(([args]) => heirloom([...args, '--home', tempHome(t)])));
  results.forEach((result, i) => {
    assert.equal(result.code, 2, `${cases[i]![0].join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, cases[i]![1]);
  });
});
