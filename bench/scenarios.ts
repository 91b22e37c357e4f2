/**
 * Benchmark scenarios, each run in its own process by bench/run.ts so that peak memory is
 * measured cleanly. Usage: tsx bench/scenarios.ts <name> [json-args]; prints one JSON line.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliServices } from '../src/cli/services.js';
import { ModelSession } from '../src/core/inference/ort-backend.js';
import { extractTile, tileInputLength } from '../src/core/inference/tiler.js';
import { tileDims } from '../src/core/inference/tiler.js';
import { preparePhoto } from '../src/core/stages/photo-pipeline.js';
import { FaultInjector } from '../src/core/scheduler/out-of-memory.js';
import { RestoreEngine } from '../src/core/restore/restore-engine.js';
import { estimateBatchMemory } from '../src/core/scheduler/memory-model.js';
import { peakResidentBytes } from '../src/core/scheduler/peak-memory-probe.js';
import type { RestoreEvent } from '../src/shared/events.js';
import { largeScan, mixedPhotos, squarePhotos } from './bench-photos.js';
import { measureMatMulPeak } from './matmul-peak.js';

const WORK = resolve('.bench');
const HOME = join(WORK, 'home');

function services(): CliServices {
  mkdirSync(HOME, { recursive: true });
  return new CliServices(HOME);
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function texture(length: number): Float32Array {
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = 0.5 + 0.4 * Math.sin(i * 0.013) * Math.cos(i * 0.0007);
  return data;
}

/** Issue 2 / 4.3: us per input pixel per tile size, achieved GFLOP/s, ORT's MatMul peak in the same process. */
async function compute(args: { models: string[]; tiles: number[] }) {
  const s = services();
  const peak = await measureMatMulPeak(WORK);
  const models = [];
  for (const id of args.models) {
    const { manifest, path } = await s.models.get(id);
    const session = await ModelSession.open(path, { provider: 'cpu' });
    const rows = [];
    for (const tile of args.tiles) {
      const side = tile + 2 * manifest.tileOverlap;
      const input = texture(3 * side * side);
      const feed = { [manifest.input.name]: { data: input, dims: [1, 3, side, side] } };
      await session.run(feed);
      const repeats = side * side > 100_000 && id.includes('plus') ? 1 : 3;
      let best = Infinity;
      for (let r = 0; r < repeats; r++) {
        const t = process.hrtime.bigint();
        await session.run(feed);
        best = Math.min(best, seconds(t));
      }
      const padded = side * side;
      const flops = (manifest.cost?.flopsPerInputPixel ?? 0) * padded;
      rows.push({
        tile,
        paddedSide: side,
        ms: best * 1000,
        usPerPaddedPixel: (best * 1e6) / padded,
        usPerOwnedPixel: (best * 1e6) / (tile * tile),
        gflops: flops / best / 1e9,
      });
    }
    await session.dispose();
    models.push({ id, flopsPerInputPixel: manifest.cost?.flopsPerInputPixel, tileOverlap: manifest.tileOverlap, rows });
  }
  await s.dispose();
  return { matmulPeak: peak, models };
}

function collect(events: RestoreEvent[]) {
  return (e: RestoreEvent) => void events.push(e);
}

/**
 * Issue 4.1: end-to-end photos per second over bare session.run on the same tiles. The
 * bare runs replay the very tiles the pipeline cut from the photos (real content runs about
 * 10 % slower than a synthetic texture of the same shape), on an in-process session with
 * nothing else going on; they run before and after the pipeline, against drift.
 */
async function pipeline(args: { model: string; count: number; tile: number; scale: number }) {
  const photos = await mixedPhotos(join(WORK, 'mixed'), args.count);
  const out = join(WORK, 'out-pipeline');
  rmSync(out, { recursive: true, force: true });
  const s = services();
  const { manifest, path } = await s.models.get(args.model);
  const tiles: Array<{ data: Float32Array; dims: number[] }> = [];
  for (const p of photos) {
    const prepared = await preparePhoto(p, { manifest, scale: args.scale, tileSize: args.tile, maxPixels: 1e9, format: 'keep', overwrite: false, outDir: '.' });
    const d = tileDims(prepared.plan);
    for (const tile of prepared.plan.tiles) {
      const data = new Float32Array(tileInputLength(prepared.plan));
      extractTile(prepared.image.pixels, prepared.plan, tile, data, 0);
      tiles.push({ data, dims: [1, 3, d.height, d.width] });
    }
  }
  const bareSession = await ModelSession.open(path, { provider: 'cpu' });
  const bare = async () => {
    const t = process.hrtime.bigint();
    for (const tile of tiles) await bareSession.run({ [manifest.input.name]: tile });
    return seconds(t);
  };
  // Warm both sessions so no measurement pays for loading the model.
  await bareSession.run({ [manifest.input.name]: tiles[0]! });
  await (await s.sessions.get(path, { provider: 'cpu' })).run({ [manifest.input.name]: tiles[0]! });
  const bareBefore = await bare();
  const events: RestoreEvent[] = [];
  const t0 = process.hrtime.bigint();
  const summary = await s.engine.run({ inputs: photos, outDir: out, modelId: args.model, tile: args.tile, batch: 1, scale: args.scale }, collect(events));
  const endToEnd = seconds(t0);
  const bareAfter = await bare();
  await bareSession.dispose();
  await s.dispose();
  const bareSeconds = (bareBefore + bareAfter) / 2;
  return {
    photos: photos.length,
    tiles: tiles.length,
    tileRuns: events.filter((e) => e.type === 'progress' && e.stage === 'inferring' && e.tile > 0).length,
    succeeded: summary.succeeded,
    endToEndSeconds: endToEnd,
    bareSeconds,
    bareBeforeSeconds: bareBefore,
    bareAfterSeconds: bareAfter,
    photosPerSecond: photos.length / endToEnd,
    barePhotosPerSecond: photos.length / bareSeconds,
    efficiency: bareSeconds / endToEnd,
  };
}

/**
 * Issue 4.2: the GPEN table under a memory budget that a fixed batch of 8 exceeds. The CPU
 * has no hard device limit, so the device is simulated: the fault injector raises a real
 * allocation-failure error when a batch needs more than `capacityItems` tiles' worth.
 */
async function gpen(args: { model: string; mode: 'fixed1' | 'fixed4' | 'fixed8' | 'auto'; count: number; side: number; capacityItems: number }) {
  const photos = await squarePhotos(join(WORK, 'square'), args.count, args.side);
  const out = join(WORK, `out-gpen-${args.mode}`);
  rmSync(out, { recursive: true, force: true });
  const s = services();
  const { manifest } = await s.models.get(args.model);
  const padded = (args.side + 2 * manifest.tileOverlap) ** 2;
  const perItem = estimateBatchMemory(manifest, padded, 'fp32', 1).perItemBytes;
  const fixed = estimateBatchMemory(manifest, padded, 'fp32', 1).fixedBytes;
  const capacityBytes = fixed + perItem * args.capacityItems;
  const engine = new RestoreEngine({
    models: s.models,
    sessions: s.sessions,
    jobs: s.jobs,
    calibration: s.calibration,
    faults: new FaultInjector(args.capacityItems * padded),
    devices: {
      resolve: async () => [
        {
          deviceId: 'bench-device',
          session: { provider: 'cpu' },
          settings: { memoryBudget: { kind: 'bytes', value: capacityBytes }, maxBatch: 8, precision: 'fp32', tileSize: args.side },
          readFreeMemory: async () => capacityBytes,
          warnings: [],
        },
      ],
    },
  });
  const events: RestoreEvent[] = [];
  const batch = args.mode === 'auto' ? 'auto' : Number(args.mode.slice(5));
  const t0 = process.hrtime.bigint();
  const summary = await engine.run({ inputs: photos, outDir: out, modelId: args.model, tile: args.side, batch, scale: 1 }, collect(events), { backOff: args.mode === 'auto' });
  const total = seconds(t0);
  const batches = events.filter((e) => e.type === 'progress' && e.stage === 'inferring').map((e) => (e.type === 'progress' ? e.batchSize : 0));
  const recommended = events.filter((e) => e.type === 'progress' && e.stage === 'inferring').map((e) => (e.type === 'progress' ? e.recommendedBatch : 0));
  await s.dispose();
  return {
    mode: args.mode,
    photos: photos.length,
    succeeded: summary.succeeded,
    successRate: summary.succeeded / photos.length,
    seconds: total,
    peakRssBytes: peakResidentBytes(),
    capacityBytes,
    maxBatchUsed: Math.max(0, ...batches),
    recommendedBatch: Math.max(0, ...recommended),
  };
}

/** Issue 4.4: a 6000x4000 scan at --scale 2, peak resident memory of the whole process. */
async function scan(args: { model: string; tile: number }) {
  const file = await largeScan(join(WORK, 'scan'));
  const out = join(WORK, 'out-scan');
  rmSync(out, { recursive: true, force: true });
  const s = services();
  const events: RestoreEvent[] = [];
  const t0 = process.hrtime.bigint();
  const summary = await s.engine.run({ inputs: [file], outDir: out, modelId: args.model, tile: args.tile, batch: 'auto', scale: 2 }, collect(events));
  const total = seconds(t0);
  await s.dispose();
  const done = events.find((e) => e.type === 'file-done');
  return { succeeded: summary.succeeded, seconds: total, peakRssBytes: peakResidentBytes(), output: done && done.type === 'file-done' ? `${done.width}x${done.height}` : null };
}

/** Issue 4.5: with fault injection on, every photo still succeeds and the steps are visible. */
async function backoff(args: { model: string; count: number; side: number; limitPixels: number }) {
  const photos = await squarePhotos(join(WORK, 'square'), args.count, args.side);
  const out = join(WORK, 'out-backoff');
  rmSync(out, { recursive: true, force: true });
  const s = services();
  const engine = new RestoreEngine({ models: s.models, sessions: s.sessions, jobs: s.jobs, calibration: s.calibration, faults: new FaultInjector(args.limitPixels) });
  const events: RestoreEvent[] = [];
  const summary = await engine.run({ inputs: photos, outDir: out, modelId: args.model, tile: args.side, batch: 4, scale: 1 }, collect(events));
  await s.dispose();
  const steps = events.flatMap((e) => (e.type === 'warning' && e.code === 'OUT_OF_MEMORY_BACKOFF' ? [e.message.split(' (')[0]] : []));
  const used = [...new Set(events.flatMap((e) => (e.type === 'progress' && e.stage === 'inferring' ? [`batch ${e.batchSize} x tile ${e.tileSize}`] : [])))];
  return { photos: photos.length, succeeded: summary.succeeded, failed: summary.failed, steps, used };
}

/** Issue 2: tiled (--tile 64) vs whole-image (--tile 0) output, PSNR per photo, on the full photos. */
async function tiling(args: { model: string }) {
  const { sourcePhotos } = await import('./bench-photos.js');
  const photos = sourcePhotos();
  const s = services();
  const outputs: Record<string, Map<string, string>> = {};
  const seconds: Record<string, number> = {};
  for (const tile of [64, 0]) {
    const out = join(WORK, `out-tiling-${args.model}-${tile}`);
    rmSync(out, { recursive: true, force: true });
    const done = new Map<string, string>();
    const t0 = process.hrtime.bigint();
    await s.engine.run({ inputs: photos, outDir: out, modelId: args.model, tile, batch: 1, format: 'png' }, (e) => {
      if (e.type === 'file-done') done.set(e.file, e.output);
    });
    seconds[tile] = Number(process.hrtime.bigint() - t0) / 1e9;
    outputs[tile] = done;
  }
  await s.dispose();
  const sharp = (await import('sharp')).default;
  const rows = [];
  for (const p of photos) {
    const a = await sharp(outputs[64]!.get(p)!).raw().toBuffer();
    const b = await sharp(outputs[0]!.get(p)!).raw().toBuffer();
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
    rows.push({ photo: p.split('/').pop(), psnr: sum === 0 ? Infinity : 10 * Math.log10((255 * 255) / (sum / a.length)) });
  }
  return { model: args.model, rows, seconds };
}

const scenarios = { compute, pipeline, gpen, scan, backoff, tiling } as const;

const [name, raw] = process.argv.slice(2);
const scenario = scenarios[name as keyof typeof scenarios];
if (!scenario) {
  console.error(`unknown scenario ${name}; one of ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
const result = await scenario(JSON.parse(raw ?? '{}'));
process.stdout.write(`BENCH-RESULT ${JSON.stringify(result)}\n`);
