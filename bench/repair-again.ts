/**
 * `npm run bench -- repair-again`: "Repair again" with a small edit against a full re-run with
 * the same edited mask, on a 768x512 photo at 4x with the default upscaler (repair, fading,
 * upscale), through the engine. Prints wall time, the pixels the network computed, and the
 * PSNR between the two results.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { bundledModelsDir } from '../src/core/app-paths.js';
import { packageVersion } from '../src/core/app-version.js';
import { CoreServices } from '../src/core/core-services.js';
import { cpuOnly } from '../src/core/devices/device-resolver.js';
import { sha256File } from '../src/core/fs/content-hash.js';
import { computedPixels, type TilePlan } from '../src/core/inference/tiler.js';
import type { RestoreRequest } from '../src/core/restore/restore-engine.js';
import type { FileDoneEvent } from '../src/shared/events.js';
import { table } from './table.js';

const OUT = resolve('.bench/repair-again');
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const photo = join(OUT, 'astronaut-768x512.png');
await sharp(resolve('test/fixtures/photos/astronaut.png')).resize(768, 512, { fit: 'cover' }).png().toFile(photo);
const core = new CoreServices<undefined>({ home: join(OUT, 'home'), bundledModelsDir: bundledModelsDir(), appVersion: packageVersion(), devices: () => ({ resolver: cpuOnly, service: undefined }) });

async function run(request: Partial<RestoreRequest> & { outDir: string }): Promise<{ done: FileDoneEvent; ms: number; plan: TilePlan; jobId: string }> {
  let done: FileDoneEvent | undefined;
  let plan: TilePlan | undefined;
  const started = Date.now();
  const summary = await core.engine.run({ inputs: [photo], scratches: true, fading: true, saveMasks: true, format: 'png', tile: 256, redo: true, ...request }, (e) => {
    if (e.type === 'file-done') done = e;
  }, { onPlan: (_file, p) => (plan = p) });
  if (!done || !plan) throw new Error('the photo was not restored');
  return { done, ms: Date.now() - started, plan, jobId: summary.jobId };
}

const out = join(OUT, 'out');
const first = await run({ outDir: out });
// The mask Compare shows, with one small brush stroke (24 x 6 px) added on the cheek.
const { data, info } = await sharp(join(out, 'astronaut-768x512.mask.png')).greyscale().raw().toBuffer({ resolveWithObject: true });
for (let y = 150; y < 156; y++) data.fill(255, y * info.width + 400, y * info.width + 424);
const maskFile = join(OUT, 'edited.png');
await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } }).png().toFile(maskFile);
const row = core.jobs.getJob(first.jobId)!.files[0]!;
const earlier = { output: first.done.output, outputSha256: row.outputSha256!, scratches: true, saveMasks: true, fading: true, faces: false };

const load = loadavg()[0]!;
const again = await run({ outDir: out, maskFile, repairAgainOf: earlier });
const full = await run({ outDir: join(OUT, 'full'), maskFile });
await core.dispose();

const raw = async (file: string) => (await sharp(file).raw().toBuffer());
const [a, b] = [await raw(again.done.output), await raw(full.done.output)];
let sum = 0;
for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
const psnr = sum === 0 ? Infinity : 10 * Math.log10((255 * 255) / (sum / a.length));
table(`Repair again vs full re-run, 768x512 at 4x (realesr-general-x4v3, repair + fading), ${cpus().length} CPUs, load ${load.toFixed(1)} at start`, ['run', 'wall ms', 'network input px', 'upscale ms'], [
  ['Repair again (24x6 px stroke)', again.ms, computedPixels(again.plan), again.done.stageMs?.upscale ?? 0],
  ['full re-run, same mask', full.ms, computedPixels(full.plan), full.done.stageMs?.upscale ?? 0],
]);
console.log(`speed-up ${(full.ms / again.ms).toFixed(1)}x; PSNR against the full re-run ${psnr.toFixed(2)} dB; notes: ${(again.done.notes ?? []).join('; ')}`);
console.log(`earlier output unchanged: ${(await sha256File(first.done.output)) === row.outputSha256}`);
console.log(`BENCH-RESULT ${JSON.stringify({ againMs: again.ms, fullMs: full.ms, againPixels: computedPixels(again.plan), fullPixels: computedPixels(full.plan), psnr, load })}`);
