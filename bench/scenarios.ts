/**
 * Benchmark scenarios, each run in its own process by bench/run.ts so that peak memory is
 * measured cleanly. Usage: tsx bench/scenarios.ts <name> [json-args]; prints one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { CliServices } from '../src/cli/services.js';
import { ModelSession } from '../src/core/inference/ort-backend.js';
import { computedPixels, extractTile, tileDims, tileInputLength, type TilePlan } from '../src/core/inference/tiler.js';
import { preparePhoto } from '../src/core/stages/photo-pipeline.js';
import { FaultInjector } from '../src/core/scheduler/out-of-memory.js';
import { RestoreEngine } from '../src/core/restore/restore-engine.js';
import { estimateBatchMemory } from '../src/core/scheduler/memory-model.js';
import { peakResidentBytes } from '../src/core/scheduler/peak-memory-probe.js';
import type { RestoreEvent } from '../src/shared/events.js';
import { largeScan, mixedPhotos, smallPhotos, squarePhotos } from './bench-photos.js';
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
 * Issue 14: end-to-end time against bare session.run of the same model on the whole photos
 * (the limit: no tiling, no host work), and per photo the pixels the network computed over
 * the photo's own pixels. Warm: a first, untimed restore tunes the tile size (once per model
 * and device) and loads the session. The bare passes run before and after, against drift.
 */
async function pipeline(args: { model: string; count: number; tile: number | 'auto'; scale: number; maxSide?: number }) {
  const photos = args.maxSide ? await smallPhotos(join(WORK, `small-${args.maxSide}`), args.count, args.maxSide) : await mixedPhotos(join(WORK, 'mixed'), args.count);
  const out = join(WORK, 'out-pipeline');
  rmSync(out, { recursive: true, force: true });
  const s = services();
  const { manifest, path } = await s.models.get(args.model);
  const wholes: Array<{ file: string; pixels: number; data: Float32Array; dims: number[] }> = [];
  for (const p of photos) {
    const prepared = await preparePhoto(p, { manifest, scale: args.scale, tileSize: 0, maxPixels: 1e9, format: 'keep', overwrite: false, outDir: '.' });
    const tile = prepared.plan.tiles[0]!;
    const data = new Float32Array(tileInputLength(tile));
    extractTile(prepared.image.pixels, tile, data, 0);
    const d = tileDims(tile);
    wholes.push({ file: p, pixels: d.width * d.height, data, dims: [1, 3, d.height, d.width] });
  }
  // Warm-up: tuning (remembered in the bench's home) and the pipeline's session, untimed.
  await s.engine.run({ inputs: [photos[0]!], outDir: join(WORK, 'out-warmup'), modelId: args.model, tile: args.tile, batch: 'auto', scale: args.scale, redo: true }, () => {});
  const bareSession = await ModelSession.open(path, { provider: 'cpu' });
  const bare = async () => {
    const t = process.hrtime.bigint();
    for (const w of wholes) await bareSession.run({ [manifest.input.name]: { data: w.data, dims: w.dims } });
    return seconds(t);
  };
  await bareSession.run({ [manifest.input.name]: { data: wholes[0]!.data, dims: wholes[0]!.dims } });
  const bareBefore = await bare();
  const events: RestoreEvent[] = [];
  const plans = new Map<string, TilePlan>();
  const t0 = process.hrtime.bigint();
  const summary = await s.engine.run({ inputs: photos, outDir: out, modelId: args.model, tile: args.tile, batch: 'auto', scale: args.scale, redo: true }, collect(events), { onPlan: (file, plan) => plans.set(file, plan) });
  const endToEnd = seconds(t0);
  const bareAfter = await bare();
  await bareSession.dispose();
  await s.dispose();
  const bareSeconds = (bareBefore + bareAfter) / 2;
  const perPhoto = wholes.map((w) => {
    const plan = plans.get(w.file);
    return { photo: basename(w.file), size: `${w.dims[3]}x${w.dims[2]}`, tiles: plan?.tiles.length ?? 0, tileSize: plan ? `${plan.coreWidth}x${plan.coreHeight}` : '', computedRatio: plan ? computedPixels(plan) / w.pixels : Number.NaN };
  });
  const photoPixels = wholes.reduce((sum, w) => sum + w.pixels, 0);
  const computed = [...plans.values()].reduce((sum, plan) => sum + computedPixels(plan), 0);
  return {
    model: args.model,
    photos: photos.length,
    tiles: [...plans.values()].reduce((sum, plan) => sum + plan.tiles.length, 0),
    succeeded: summary.succeeded,
    endToEndSeconds: endToEnd,
    bareSeconds,
    bareBeforeSeconds: bareBefore,
    bareAfterSeconds: bareAfter,
    efficiency: bareSeconds / endToEnd,
    computedRatio: computed / photoPixels,
    perPhoto,
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

/**
 * Issue 14.3: the whole `heirloom restore` process on one 256x256 photo (warm: tuned, tsx's
 * transform cache filled), against bare session.run of the same model on that photo.
 */
async function startup(args: { model: string; runs: number }) {
  const dir = join(WORK, 'startup');
  mkdirSync(dir, { recursive: true });
  const [source] = await smallPhotos(join(WORK, 'small-256'), 1, 256);
  const home = join(dir, 'home');
  const cli = resolve('bin/heirloom.mjs');
  const restore = (out: string) => {
    const t = process.hrtime.bigint();
    const child = spawnSync(process.execPath, [cli, 'restore', source!, '--out', out, '--model', args.model, '--json', '--home', home], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`heirloom restore failed: ${child.stderr}`);
    return seconds(t);
  };
  rmSync(join(dir, 'out'), { recursive: true, force: true });
  restore(join(dir, 'out', 'warm-up'));
  const processSeconds: number[] = [];
  for (let i = 0; i < args.runs; i++) processSeconds.push(restore(join(dir, 'out', `run-${i}`)));
  const s = services();
  const { manifest, path } = await s.models.get(args.model);
  const prepared = await preparePhoto(source!, { manifest, scale: manifest.scale, tileSize: 0, maxPixels: 1e9, format: 'keep', overwrite: false, outDir: '.' });
  const tile = prepared.plan.tiles[0]!;
  const data = new Float32Array(tileInputLength(tile));
  extractTile(prepared.image.pixels, tile, data, 0);
  const d = tileDims(tile);
  const session = await ModelSession.open(path, { provider: 'cpu' });
  const feed = { [manifest.input.name]: { data, dims: [1, 3, d.height, d.width] } };
  let t = process.hrtime.bigint();
  await session.run(feed);
  const bareFirstSeconds = seconds(t);
  let bareSeconds = Infinity;
  for (let i = 0; i < 3; i++) {
    t = process.hrtime.bigint();
    await session.run(feed);
    bareSeconds = Math.min(bareSeconds, seconds(t));
  }
  await session.dispose();
  await s.dispose();
  const sorted = [...processSeconds].sort((a, b) => a - b);
  return { model: args.model, size: `${d.width}x${d.height}`, processSeconds, medianProcessSeconds: sorted[Math.floor(sorted.length / 2)]!, bareSeconds, bareFirstSeconds };
}

const scenarios = { compute, pipeline, gpen, scan, backoff, tiling, startup } as const;

const [name, raw] = process.argv.slice(2);
const scenario = scenarios[name as keyof typeof scenarios];
if (!scenario) {
  console.error(`unknown scenario ${name}; one of ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
const result = await scenario(JSON.parse(raw ?? '{}'));
process.stdout.write(`BENCH-RESULT ${JSON.stringify(result)}\n`);
