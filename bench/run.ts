/**
 * `npm run bench [-- section...]`: prints tables and, last, one JSON object with every number.
 * Sections: compute (issue 2 + 4.3), pipeline (4.1, 14.1-2), startup (14.3), gpen (4.2), scan (4.4), backoff (4.5), repair (damage repair and fading, bench/repair.ts),
 * farm (issue 18, only when named: needs Debian's redis-server; bench/farm.ts), repair-again (only when named: Repair again
 * against a full re-run, bench/repair-again.ts), bigfolder (issue 18 item 7, only when named: 100,000 photos; bench/bigfolder.ts).
 * Each scenario runs in its own process so peak memory is its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { table } from './table.js';

const ALL = ['compute', 'pipeline', 'startup', 'gpen', 'backoff', 'scan', 'repair'] as const;
/** Long sections run only when named: `npm run bench -- tiling` (both models on the full photos, ~30 min on 2 cores). */
type Section = (typeof ALL)[number] | 'tiling' | 'farm' | 'repair-again' | 'bigfolder';
const requested = process.argv.slice(2).filter((a) => !a.startsWith('-')) as Section[];
const sections = requested.length > 0 ? requested : [...ALL];
const FAST = 'realesr-general-x4v3';
const QUALITY = 'realesrgan-x4plus';

function scenario<T>(name: string, args: unknown): T {
  const started = Date.now();
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'bench/scenarios.ts', name, JSON.stringify(args)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const line = child.stdout.split('\n').find((l) => l.startsWith('BENCH-RESULT '));
  if (child.status !== 0 || !line) {
    process.stderr.write(child.stdout + child.stderr);
    throw new Error(`scenario ${name} failed (exit ${child.status})`);
  }
  process.stderr.write(`  ${name} ${JSON.stringify(args)} took ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return JSON.parse(line.slice('BENCH-RESULT '.length)) as T;
}

const mb = (b: number | undefined | null) => (b === undefined || b === null ? 'n/a' : `${(b / 1024 / 1024).toFixed(0)} MB`);
const f = (n: number, d = 2) => n.toFixed(d);

const results: Record<string, unknown> = { machine: { cpus: (await import('node:os')).cpus().length, model: (await import('node:os')).cpus()[0]?.model }, date: new Date().toISOString() };

if (sections.includes('compute')) {
  interface Row { tile: number; paddedSide: number; ms: number; usPerPaddedPixel: number; usPerOwnedPixel: number; gflops: number }
  const r = scenario<{ matmulPeak: { gflops: number; shape: string; points: Array<{ shape: string; gflops: number }> }; models: Array<{ id: string; tileOverlap: number; rows: Row[] }> }>('compute', { models: [FAST, QUALITY], tiles: [64, 128, 192, 256] });
  table('ONNX Runtime MatMul peak (same process)', ['shape MxKxN', 'GFLOP/s'], r.matmulPeak.points.map((p) => [p.shape, f(p.gflops, 1)]));
  for (const m of r.models) {
    table(`${m.id}: one tile per run (overlap ${m.tileOverlap} px each side)`, ['tile', 'padded', 'ms/run', 'us/input px', 'us/owned px', 'GFLOP/s', 'of peak'], m.rows.map((row) => [row.tile, row.paddedSide, f(row.ms, 0), f(row.usPerPaddedPixel), f(row.usPerOwnedPixel), f(row.gflops, 1), `${f((100 * row.gflops) / r.matmulPeak.gflops, 0)} %`]));
  }
  const fast = r.models.find((m) => m.id === FAST);
  const bestFast = fast ? Math.max(...fast.rows.map((row) => row.gflops)) : 0;
  results.compute = { ...r, computeEfficiency: { model: FAST, bestGflops: bestFast, matmulPeakGflops: r.matmulPeak.gflops, ratio: bestFast / r.matmulPeak.gflops } };
  console.log(`\nCompute efficiency (${FAST}): ${f(bestFast, 1)} / ${f(r.matmulPeak.gflops, 1)} GFLOP/s = ${f(bestFast / r.matmulPeak.gflops)} (target >= 0.80)`);
}

if (sections.includes('pipeline')) {
  interface P {
    model: string; photos: number; tiles: number; succeeded: number; endToEndSeconds: number; bareSeconds: number; bareBeforeSeconds: number; bareAfterSeconds: number; efficiency: number; computedRatio: number;
    perPhoto: Array<{ photo: string; size: string; tiles: number; tileSize: string; computedRatio: number }>;
  }
  const runs = [scenario<P>('pipeline', { model: FAST, count: 20, tile: 'auto', scale: 4 }), scenario<P>('pipeline', { model: QUALITY, count: 5, tile: 'auto', scale: 4, maxSide: 250 })];
  for (const r of runs) {
    table(`${r.model}: per photo, pixels the network computed / photo pixels`, ['photo', 'size', 'tiles', 'largest tile', 'computed/photo'], r.perPhoto.map((p) => [p.photo, p.size, p.tiles, p.tileSize, f(p.computedRatio, 3)]));
  }
  table(
    'Pipeline efficiency, warm: end to end vs bare session.run on the whole photos (bare: mean of a pass before and after)',
    ['model', 'photos', 'tiles', 'ok', 'end-to-end s', 'bare s (before/after)', 'computed/photo px', 'efficiency'],
    runs.map((r) => [r.model, r.photos, r.tiles, r.succeeded, f(r.endToEndSeconds, 1), `${f(r.bareSeconds, 1)} (${f(r.bareBeforeSeconds, 1)}/${f(r.bareAfterSeconds, 1)})`, f(r.computedRatio, 3), f(r.efficiency, 3)]),
  );
  console.log('Targets: efficiency >= 0.90, computed/photo pixels <= 1.15');
  results.pipeline = runs;
}

if (sections.includes('startup')) {
  const r = scenario<{ model: string; size: string; processSeconds: number[]; medianProcessSeconds: number; bareSeconds: number; bareFirstSeconds: number }>('startup', { model: FAST, runs: 5 });
  console.log(`\nStart-up: \`heirloom restore\` of one ${r.size} photo (${r.model}, warm), whole process: median ${f(r.medianProcessSeconds)} s (${r.processSeconds.map((x) => f(x)).join(', ')})`);
  console.log(`  bare session.run on the photo: ${f(r.bareSeconds)} s (first run of the shape ${f(r.bareFirstSeconds)} s); overhead ${f(r.medianProcessSeconds - r.bareSeconds)} s (target <= 0.60)`);
  results.startup = r;
}

if (sections.includes('gpen')) {
  interface G { mode: string; photos: number; succeeded: number; successRate: number; seconds: number; peakRssBytes: number; capacityBytes: number; maxBatchUsed: number; recommendedBatch: number }
  const args = { model: FAST, count: 20, side: 128, capacityItems: 6 };
  // Auto runs twice: the first run measures once whether batching pays (then remembered); the table shows the second.
  const firstAuto = scenario<G>('gpen', { ...args, mode: 'auto' });
  console.log(`  first auto run, including its one-time batch measurement: ${f(firstAuto.seconds, 1)} s`);
  const rows = (['fixed1', 'fixed4', 'fixed8', 'auto'] as const).map((mode) => scenario<G>('gpen', { ...args, mode }));
  table(`GPEN table: 20 photos of ${args.side}x${args.side}, simulated device of ${mb(rows[0]!.capacityBytes)} (a fixed batch of 8 exceeds it)`, ['mode', 'success', 'total s', 'peak RSS', 'largest batch', 'recommended'], rows.map((g) => [g.mode, `${f(100 * g.successRate, 0)} %`, f(g.seconds, 1), mb(g.peakRssBytes), g.maxBatchUsed, g.recommendedBatch]));
  const succeeding = rows.filter((g) => g.mode !== 'auto' && g.successRate === 1);
  const best = Math.min(...succeeding.map((g) => g.seconds));
  const auto = rows.find((g) => g.mode === 'auto')!;
  console.log(`Auto: ${f(100 * auto.successRate, 0)} % success, ${f(auto.seconds, 1)} s vs best succeeding fixed ${f(best, 1)} s (${f((100 * (auto.seconds - best)) / best, 1)} %; target within 5 %)`);
  results.gpen = { args, rows, autoVsBestFixed: (auto.seconds - best) / best };
}

if (sections.includes('backoff')) {
  const r = scenario<{ photos: number; succeeded: number; failed: number; steps: string[]; used: string[] }>('backoff', { model: FAST, count: 6, side: 64, limitPixels: 7000 });
  console.log(`\nBack-off with fault injection (OOM above 7000 batch x padded-tile pixels): ${r.succeeded}/${r.photos} succeeded, ${r.failed} failed`);
  for (const s of r.steps) console.log(`  ${s}`);
  console.log(`  shapes used: ${r.used.join(', ')}`);
  results.backoff = r;
}

if (sections.includes('scan')) {
  const r = scenario<{ succeeded: number; seconds: number; peakRssBytes: number; output: string }>('scan', { model: FAST, tile: 256 });
  console.log(`\n6000x4000 scan at --scale 2 (${FAST}, tile 256): ${r.succeeded ? 'ok' : 'FAILED'}, output ${r.output}, ${f(r.seconds, 0)} s, peak RSS ${mb(r.peakRssBytes)} (target <= 1.2 GB)`);
  results.scan = r;
}

if (sections.includes('tiling')) {
  for (const model of [FAST, QUALITY]) {
    const r = scenario<{ rows: Array<{ photo: string; psnr: number }>; seconds: Record<string, number> }>('tiling', { model });
    table(`${model}: --tile 64 vs --tile 0 on the full photos (target >= 50 dB)`, ['photo', 'PSNR dB'], r.rows.map((row) => [row.photo, f(row.psnr)]));
    results[`tiling-${model}`] = r;
  }
}

/** A section that is a script of its own (its tables go straight to the terminal; the numbers come back on its last line). */
function ownScript(name: string): unknown {
  const child = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const line = child.stdout.split('\n').find((l) => l.startsWith('BENCH-RESULT '));
  process.stdout.write(child.stdout.split('\n').filter((l) => !l.startsWith('BENCH-RESULT ')).join('\n'));
  if (child.status !== 0 || !line) {
    process.stderr.write(child.stderr);
    throw new Error(`the ${name} bench failed (exit ${child.status})`);
  }
  return JSON.parse(line.slice('BENCH-RESULT '.length));
}

// Damage repair and fading (bench/repair.ts).
if (sections.includes('repair')) results.repair = ownScript('repair');
// Repair again against a full re-run (bench/repair-again.ts).
if (sections.includes('repair-again')) results['repair-again'] = ownScript('repair-again');
// Queue overhead per photo against a local run, and 1,000 queued photos drained (its own redis-server).
if (sections.includes('farm')) results.farm = ownScript('farm');
// 100,000 distinct tiny photos: seconds to the first photo started and restored, locally and through the farm.
if (sections.includes('bigfolder')) results.bigfolder = ownScript('bigfolder');

mkdirSync('.bench', { recursive: true });
writeFileSync('.bench/results.json', JSON.stringify(results, null, 2));
console.log(`\n${JSON.stringify(results)}`);
