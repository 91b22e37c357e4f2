import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PhotoExecutor, type BackOffStep, type DeviceLane, type ExecutorPhoto, type ProgressUpdate } from '../../../src/core/scheduler/photo-executor.js';
import { MemoryMonitor } from '../../../src/core/scheduler/memory-monitor.js';
import { FaultInjector } from '../../../src/core/scheduler/out-of-memory.js';
import { PauseGate } from '../../../src/core/scheduler/pause-gate.js';
import { HostCpuTurns, type HostWork } from '../../../src/core/scheduler/host-cpu-turns.js';
import type { PhotoResult } from '../../../src/core/scheduler/photo-work.js';
import { photoWork, type PhotoSettings } from '../../../src/core/stages/photo-pipeline.js';
import type { ErrorInfo } from '../../../src/shared/errors.js';
import { fakeManifest, fakeRunner, type FakeRunnerLog } from '../../helpers/fake-model.js';
import { psnr, readRaw, tempDir, writeTestPhoto } from '../../helpers/images.js';
import { computedPixels, planPhotoTiles } from '../../../src/core/inference/tiler.js';

const GiB = 1024 ** 3;

function lane(log: FakeRunnerLog, overrides: Partial<DeviceLane> = {}, delayMs = 0): DeviceLane {
  return {
    deviceId: 'cpu',
    run: fakeRunner(2, log, delayMs),
    monitor: new MemoryMonitor(async () => 8 * GiB),
    budget: { kind: 'fraction', value: 0.8 },
    maxBatch: 8,
    precision: 'fp32',
    usefulBatch: 8,
    calibration: 1,
    ...overrides,
  };
}

function settings(outDir: string, tileSize: number): PhotoSettings {
  mkdirSync(outDir, { recursive: true });
  return { manifest: fakeManifest(2), scale: 2, tileSize, format: 'png', overwrite: false, maxPixels: 1e9, outDir };
}

async function runExecutor(photos: ExecutorPhoto[], options: ConstructorParameters<typeof PhotoExecutor>[1]) {
  const done = new Map<string, PhotoResult>();
  const failed = new Map<string, ErrorInfo>();
  const progress: ProgressUpdate[] = [];
  const backOffs: BackOffStep[] = [];
  await new PhotoExecutor(photos, options, {
    started: () => {},
    progress: (u) => progress.push(u),
    done: (p, r) => done.set(p.file, r),
    failed: (p, e) => failed.set(p.file, e),
    backOff: (s) => backOffs.push(s),
  }).run();
  return { done, failed, progress, backOffs };
}

async function photos(dir: string, sizes: Array<[number, number]>): Promise<ExecutorPhoto[]> {
  return Promise.all(sizes.map(async ([w, h], i) => ({ position: i, file: await writeTestPhoto(join(dir, `p${i}.png`), w, h, i + 1) })));
}

test('tiled output equals whole-image output, across photos of several sizes', async () => {
  const dir = tempDir();
  const input = await photos(dir, [[45, 30], [64, 64], [17, 50]]);
  const log: FakeRunnerLog = { batches: [], shapes: [] };
  const tiled = await runExecutor(input, { work: photoWork(settings(join(dir, 'tiled'), 16)), lanes: [lane(log)] });
  const whole = await runExecutor(input, { work: photoWork(settings(join(dir, 'whole'), 0)), lanes: [lane({ batches: [], shapes: [] })] });
  assert.equal(tiled.failed.size, 0, JSON.stringify([...tiled.failed.values()]));
  for (const p of input) {
    const a = await readRaw(tiled.done.get(p.file)!.output);
    const b = await readRaw(whole.done.get(p.file)!.output);
    assert.equal(a.width, b.width);
    assert.equal(psnr(a.data, b.data), Infinity, `${p.file} tiled == whole`);
  }
  // Tile 16 with 2 px of context toward each neighbour: no run is larger than 20x20, and
  // tiles at a photo's border carry no context there (the 45-px side is cut 15 + 15 + 15).
  const sides = log.shapes.map((s) => s.split('x').map(Number) as [number, number]);
  assert.ok(sides.every(([w, h]) => w <= 20 && h <= 20), `shapes ${log.shapes.join(' ')}`);
  assert.ok(log.shapes.includes('17x17') && log.shapes.includes('19x17'), `shapes ${log.shapes.join(' ')}`);
});

test('equal-shaped tiles from different photos are batched together', async () => {
  const dir = tempDir();
  const input = await photos(dir, [[16, 16], [16, 16], [16, 16], [16, 16]]);
  const log: FakeRunnerLog = { batches: [], shapes: [] };
  const result = await runExecutor(input, { work: photoWork(settings(join(dir, 'out'), 16)), lanes: [lane(log, { usefulBatch: 4 })], maxPreparedPhotos: 4 });
  assert.equal(result.done.size, 4);
  assert.ok(Math.max(...log.batches) > 1, `batches ${log.batches}`);
  const withBatch = result.progress.filter((p) => p.stage === 'inferring' && p.batchSize > 1);
  assert.ok(withBatch.length > 0);
  assert.ok(withBatch.every((p) => p.recommendedBatch >= 1 && p.memory !== undefined && p.memory.estimateBytes > 0 && p.memory.budgetBytes > 0));
});

test('tiles padded to a shared shape across photos: fewer runs, more context, and the output is bit-exact', async () => {
  const dir = tempDir();
  // Tile 16 cuts these sides into parts of 12 to 15 px: input shapes 14 to 19 px, rarely equal across photos.
  const sizes: Array<[number, number]> = [[40, 40], [36, 36], [44, 30], [38, 42]];
  const input = await photos(dir, sizes);
  const planned = sizes.reduce((sum, [w, h]) => sum + computedPixels(planPhotoTiles(w, h, 16, 2)), 0);
  const computed = (log: FakeRunnerLog) => log.shapes.reduce((sum, shape, i) => sum + log.batches[i]! * shape.split('x').map(Number).reduce((a, b) => a * b), 0);
  // An accelerator whose runs cost mostly per run: padding to fill a batch pays.
  const padded: FakeRunnerLog = { batches: [], shapes: [] };
  const cost = { fixedMs: 50, msPerPixel: 1e-6 };
  const result = await runExecutor(input, { work: photoWork(settings(join(dir, 'padded'), 16)), lanes: [lane(padded, { usefulBatch: 4, batchCost: cost })], maxPreparedPhotos: 4 });
  // The same device without a cost model groups equal shapes only; a CPU (batch 1) never pads.
  const exact: FakeRunnerLog = { batches: [], shapes: [] };
  await runExecutor(input, { work: photoWork(settings(join(dir, 'exact'), 16)), lanes: [lane(exact, { usefulBatch: 4 })], maxPreparedPhotos: 4 });
  const cpu: FakeRunnerLog = { batches: [], shapes: [] };
  await runExecutor(input, { work: photoWork(settings(join(dir, 'cpu'), 16)), lanes: [lane(cpu, { usefulBatch: 1, batchCost: cost })] });
  const whole = await runExecutor(input, { work: photoWork(settings(join(dir, 'whole'), 0)), lanes: [lane({ batches: [], shapes: [] })] });
  assert.equal(result.failed.size, 0, JSON.stringify([...result.failed.values()]));
  assert.equal(computed(exact), planned, 'equal shapes only: exactly the planned pixels');
  assert.equal(computed(cpu), planned, 'batch 1: exactly the planned pixels');
  assert.ok(cpu.batches.every((n) => n === 1));
  assert.ok(computed(padded) > planned, `padded batches compute more pixels (${computed(padded)} > ${planned})`);
  assert.ok(padded.batches.length < exact.batches.length, `fewer runs: ${padded.batches.length} padded against ${exact.batches.length} exact`);
  for (const p of input) {
    const a = await readRaw(result.done.get(p.file)!.output);
    const b = await readRaw(whole.done.get(p.file)!.output);
    assert.equal(psnr(a.data, b.data), Infinity, `${p.file}: padded pixels never reach the output`);
  }
});

test('out of memory: the batch halves, then the tile halves, and every photo still succeeds', async () => {
  const dir = tempDir();
  const input = await photos(dir, [[32, 32], [32, 32], [32, 32]]);
  const log: FakeRunnerLog = { batches: [], shapes: [] };
  // Padded 16-px tiles are 20x20 = 400 px; the simulated device fails above 300 px per batch.
  const result = await runExecutor(input, {
    work: photoWork(settings(join(dir, 'out'), 16)),
    lanes: [lane(log, { fixedBatch: 4 })],
    faults: new FaultInjector(300),
    tileFloor: 8,
  });
  assert.equal(result.failed.size, 0, JSON.stringify([...result.failed.values()]));
  assert.equal(result.done.size, 3);
  const steps = result.backOffs.map((s) => `${s.from.batch}x${s.from.tile}->${s.to.batch}x${s.to.tile}`);
  assert.ok(steps.includes('4x16->2x16'), steps.join(' '));
  assert.ok(steps.includes('2x16->1x16'), steps.join(' '));
  assert.ok(steps.includes('1x16->1x8'), steps.join(' '));
  const reference = await runExecutor(input, { work: photoWork(settings(join(dir, 'ref'), 0)), lanes: [lane({ batches: [], shapes: [] })] });
  for (const p of input) {
    const a = await readRaw(result.done.get(p.file)!.output);
    const b = await readRaw(reference.done.get(p.file)!.output);
    assert.equal(psnr(a.data, b.data), Infinity, 'a backed-off photo is still exact');
  }
});

test('without back-off (naive fixed batch), out of memory fails the photos with OUT_OF_MEMORY', async () => {
  const dir = tempDir();
  const input = await photos(dir, [[16, 16], [16, 16]]);
  const result = await runExecutor(input, { work: photoWork(settings(join(dir, 'out'), 16)), lanes: [lane({ batches: [], shapes: [] }, { fixedBatch: 2 })], faults: new FaultInjector(500), backOff: false });
  assert.equal(result.done.size, 0);
  assert.deepEqual([...result.failed.values()].map((e) => e.code), ['OUT_OF_MEMORY', 'OUT_OF_MEMORY']);
});

test('cancel stops within a batch and leaves no output or temporary file', async () => {
  const dir = tempDir();
  const input = await photos(dir, [[64, 64], [64, 64], [64, 64]]);
  const out = join(dir, 'out');
  const abort = new AbortController();
  const log: FakeRunnerLog = { batches: [], shapes: [] };
  const slow = lane(log, { usefulBatch: 1 }, 20);
  const run = slow.run;
  slow.run = async (i, d) => {
    if (log.batches.length === 2) abort.abort();
    return run(i, d);
  };
  const result = await runExecutor(input, { work: photoWork(settings(out, 16)), lanes: [slow], signal: abort.signal });
  assert.equal(result.done.size, 0);
  assert.ok([...result.failed.values()].every((e) => e.code === 'CANCELLED'));
  assert.ok(log.batches.length <= 3, `stopped within a batch (${log.batches.length} batches ran)`);
  let files: string[] = [];
  try {
    files = readdirSync(out);
  } catch {
    files = [];
  }
  assert.deepEqual(files, []);
});

test('pause holds work and resume finishes it', async () => {
  const dir = tempDir();
  const input = await photos(dir, [[32, 32], [32, 32]]);
  const pause = new PauseGate();
  pause.pause();
  const log: FakeRunnerLog = { batches: [], shapes: [] };
  const running = runExecutor(input, { work: photoWork(settings(join(dir, 'out'), 16)), lanes: [lane(log)], pause });
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(log.batches.length, 0, 'nothing ran while paused');
  pause.resume();
  const result = await running;
  assert.equal(result.done.size, 2);
});

/** Records which host work ran and how much of it ran at once (the model run counts as host work while it is in flight). */
class RecordingTurns extends HostCpuTurns {
  readonly kinds = new Set<HostWork>();
  active = 0;
  most = 0;
  override async take<T>(kind: HostWork, work: () => Promise<T> | T): Promise<T> {
    return super.take(kind, async () => {
      this.kinds.add(kind);
      this.most = Math.max(this.most, ++this.active);
      try {
        return await work();
      } finally {
        this.active--;
      }
    });
  }
}

for (const enabled of [true, false]) {
  test(`decoding, inference and encoding ${enabled ? 'take turns on the host CPU' : 'overlap beside an accelerator'}`, async () => {
    const dir = tempDir();
    const input = await photos(dir, [[48, 48], [48, 48], [48, 48], [48, 48]]);
    const turns = new RecordingTurns(enabled);
    // A slow device (20 ms a batch), so decoding and encoding have time to overlap it when allowed.
    const result = await runExecutor(input, { work: photoWork(settings(join(dir, 'out'), 16)), lanes: [lane({ batches: [], shapes: [] }, { usefulBatch: 1, sharesHostCpu: enabled }, 20)], turns });
    assert.equal(result.done.size, 4);
    assert.deepEqual([...turns.kinds].sort(), ['decode', 'encode', 'infer']);
    if (enabled) assert.equal(turns.most, 1, 'never two at once');
    else assert.ok(turns.most >= 2, `host work overlapped inference (most at once: ${turns.most})`);
  });
}

for (const sharesHostCpu of [false, true]) {
  test(`${sharesHostCpu ? 'on the host CPU one batch is in flight at a time' : 'an accelerator gets the next batch before the last is written back (two in flight, never more)'}`, async () => {
    const dir = tempDir();
    const input = await photos(dir, [[64, 64], [64, 64]]);
    const slow = lane({ batches: [], shapes: [] }, { usefulBatch: 1, sharesHostCpu }, 15);
    const run = slow.run;
    let inFlight = 0;
    let most = 0;
    slow.run = async (i, d) => {
      most = Math.max(most, ++inFlight);
      try {
        return await run(i, d);
      } finally {
        inFlight--;
      }
    };
    const result = await runExecutor(input, { work: photoWork(settings(join(dir, 'out'), 16)), lanes: [slow] });
    assert.equal(result.done.size, 2);
    assert.equal(most, sharesHostCpu ? 1 : 2);
    const reference = await runExecutor(input, { work: photoWork(settings(join(dir, 'ref'), 0)), lanes: [lane({ batches: [], shapes: [] })] });
    for (const p of input) assert.equal(psnr((await readRaw(result.done.get(p.file)!.output)).data, (await readRaw(reference.done.get(p.file)!.output)).data), Infinity);
  });
}
