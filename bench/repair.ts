/**
 * `npm run bench repair`: the damage repair and fading stages measured against ground truth.
 *
 * 1. Synthetic damage (scratches, cracks, dust, a torn corner) drawn on ten photos the damage
 *    detector never saw in training: PSNR against the clean photo before and after, over the
 *    whole photo and over the damaged pixels; PSNR of the pixels 4 px or more from any damage
 *    (what the repair must leave alone); the same repair with the true mask (the oracle);
 *    and the detector's precision and recall.
 * 2. The real damaged prints in ../shared/testdata/old/ (when present): the masked share, and
 *    an image input | mask (white: repaired; grey: marked by the network, left alone by the filters) | output written to .bench/repair/ to look at.
 * 3. Fading: mean CIE76 colour difference to the unfaded photo, before and after, on a faded
 *    set made from the same photos; on the photos never faded; and what a set 100 % strength
 *    gives the photos without colour (which the measured strength leaves as they are).
 * 4. Time on this CPU: the repair stages of a 768x512 photo against the default 4x upscale
 *    of the same photo, both through the engine, warm.
 * Prints tables, then `BENCH-RESULT {json}`.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { bundledModelsDir } from '../src/core/app-paths.js';
import { decodeImage, type DecodedImage } from '../src/core/imaging/codec.js';
import { SessionPool } from '../src/core/inference/session-pool.js';
import { ModelRegistry } from '../src/core/models/model-registry.js';
import { DamageDetector } from '../src/core/repair/damage-detector.js';
import { inpaint } from '../src/core/repair/inpaint.js';
import { dilateMask } from '../src/core/repair/mask.js';
import { restoreFading, simulateFading } from '../src/core/repair/fading.js';
import { deltaE76 } from '../src/core/repair/colour.js';
import { synthesizeDamage } from '../src/core/repair/synthetic-damage.js';
import { readCpuAvailableMemory } from '../src/core/scheduler/memory-monitor.js';
import { CoreServices } from '../src/core/core-services.js';
import { packageVersion } from '../src/core/app-version.js';
import { cpuOnly } from '../src/core/devices/device-resolver.js';
import type { FileDoneEvent } from '../src/shared/events.js';
import { seededRandom } from '../src/shared/seeded-random.js';
import { table } from './table.js';

const HELD_OUT = [
  ...['astronaut.png', 'camera.png', 'chelsea.png', 'coins.png', 'clock_motion.png', 'hubble_deep_field.jpg'].map((f) => resolve('test/fixtures/photos', f)),
  ...['coffee.png', 'rocket.jpg', 'raccoon.jpg', 'ascent.png'].map((f) => resolve('bench/photos', f)),
];
const OLD_PRINTS = resolve('../shared/testdata/old');
const OUT = resolve('.bench/repair');

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'inf');

/** PSNR over the colour samples of the pixels `where` selects (all when absent). */
function psnr(a: DecodedImage, b: DecodedImage, where?: Uint8Array): number {
  const { data: x, stride, maxValue } = a.pixels;
  const y = b.pixels.data;
  let sum = 0;
  let n = 0;
  for (let p = 0; p < a.width * a.height; p++) {
    if (where && !where[p]) continue;
    for (let c = 0; c < a.colorChannels; c++) {
      const d = x[p * stride + c]! - y[p * stride + c]!;
      sum += d * d;
      n++;
    }
  }
  return n === 0 ? NaN : sum === 0 ? Infinity : 10 * Math.log10((maxValue * maxValue) / (sum / n));
}

function not(mask: Uint8Array): Uint8Array {
  return mask.map((v) => (v ? 0 : 1));
}

/** Photos as the engine decodes them, colour or grey, 8-bit, without alpha. */
async function load(file: string): Promise<DecodedImage> {
  const image = await decodeImage(file, { maxPixels: 50_000_000 });
  if (!image.hasAlpha) return image;
  throw new Error(`${file} has alpha; the bench expects photos without it`);
}

const models = new ModelRegistry(bundledModelsDir(), resolve('.bench/no-user-models'));
const sessions = new SessionPool();
const device = { session: { provider: 'cpu' as const }, freeBytes: () => readCpuAvailableMemory(), budget: { kind: 'fraction' as const, value: 0.8 }, maxBatch: 8, precision: 'fp32' as const };
const detector = await DamageDetector.open({ models, sessions }, device);
const results: Record<string, unknown> = { model: detector.manifest.id, sha256: detector.manifest.sha256 };

// 1. Synthetic damage on held-out photos.
interface SyntheticRow {
  photo: string;
  damagedShare: number;
  maskedShare: number;
  outlineShare: number;
  textureShare: number;
  precision: number;
  recall: number;
  before: number;
  after: number;
  oracle: number;
  damagedBefore: number;
  damagedAfter: number;
  farAfter: number;
}
const synthetic: SyntheticRow[] = [];
for (const [i, file] of HELD_OUT.entries()) {
  const clean = await load(file);
  const damage = synthesizeDamage(clean, { seed: 1000 + i, scratches: 4, cracks: 2, specks: 30, tornCorner: i % 3 === 0 ? 0.12 : 0 });
  const found = await detector.detect(damage.image.pixels);
  const ours = await inpaint(damage.image, found.mask);
  const oracle = await inpaint(damage.image, damage.mask);
  const truth = damage.mask;
  let tp = 0;
  let marked = 0;
  let actual = 0;
  for (let p = 0; p < truth.length; p++) {
    marked += found.mask[p]!;
    actual += truth[p]!;
    tp += found.mask[p]! & truth[p]!;
  }
  const far = not(dilateMask(truth, clean.width, clean.height, 4));
  synthetic.push({
    photo: file.split('/').pop()!,
    damagedShare: actual / truth.length,
    maskedShare: marked / truth.length,
    outlineShare: found.outlinePixels / truth.length,
    textureShare: found.texturePixels / truth.length,
    precision: marked === 0 ? 1 : tp / marked,
    recall: actual === 0 ? 1 : tp / actual,
    before: psnr(clean, damage.image),
    after: psnr(clean, ours.image),
    oracle: psnr(clean, oracle.image),
    damagedBefore: psnr(clean, damage.image, truth),
    damagedAfter: psnr(clean, ours.image, truth),
    farAfter: psnr(clean, ours.image, far),
  });
}
table(
  'Synthetic damage on 10 held-out photos (PSNR dB against the clean photo)',
  ['photo', 'damaged', 'masked', 'outlines left alone', 'texture left alone', 'precision', 'recall', 'whole before', 'whole after', 'oracle', 'damaged px before', 'after', '>=4 px away after'],
  synthetic.map((r) => [r.photo, `${f(100 * r.damagedShare)} %`, `${f(100 * r.maskedShare)} %`, `${f(100 * r.outlineShare)} %`, `${f(100 * r.textureShare)} %`, f(r.precision, 2), f(r.recall, 2), f(r.before), f(r.after), f(r.oracle), f(r.damagedBefore), f(r.damagedAfter), f(r.farAfter)]),
);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const meanFinite = (xs: number[]) => mean(xs.map((x) => (Number.isFinite(x) ? x : 99)));
const summary = {
  wholeBefore: mean(synthetic.map((r) => r.before)),
  wholeAfter: mean(synthetic.map((r) => r.after)),
  oracle: mean(synthetic.map((r) => r.oracle)),
  gapToOracle: mean(synthetic.map((r) => r.oracle - r.after)),
  worstGapToOracle: Math.max(...synthetic.map((r) => r.oracle - r.after)),
  damagedBefore: mean(synthetic.map((r) => r.damagedBefore)),
  damagedAfter: mean(synthetic.map((r) => r.damagedAfter)),
  farAfterMin: Math.min(...synthetic.map((r) => r.farAfter)),
  farAfterMean: meanFinite(synthetic.map((r) => r.farAfter)),
  precision: mean(synthetic.map((r) => r.precision)),
  recall: mean(synthetic.map((r) => r.recall)),
};
console.log(
  `Whole photo: ${f(summary.wholeBefore)} -> ${f(summary.wholeAfter)} dB (oracle ${f(summary.oracle)}; gap ${f(summary.gapToOracle, 2)} dB mean, ${f(summary.worstGapToOracle, 2)} worst; target within 1.5)` +
    `\nDamaged pixels: ${f(summary.damagedBefore)} -> ${f(summary.damagedAfter)} dB; pixels >= 4 px from damage: worst ${f(summary.farAfterMin)} dB (target >= 45)` +
    `\nDetector: precision ${f(summary.precision, 2)}, recall ${f(summary.recall, 2)}`,
);
results.synthetic = { rows: synthetic, summary };

// 2. Real old prints: the masked share, and input | mask | output to look at.
if (existsSync(OLD_PRINTS)) {
  mkdirSync(OUT, { recursive: true });
  const rows: Array<{ photo: string; maskedShare: number; outlineShare: number; textureShare: number; faces: number; featureShare: number; sheet: string }> = [];
  for (const name of readdirSync(OLD_PRINTS).filter((n) => n.endsWith('.png')).sort()) {
    // Some scans carry an (opaque) alpha channel: looked at without it.
    const opaque = join(OUT, `input-${name}`);
    await sharp(join(OLD_PRINTS, name)).removeAlpha().png().toFile(opaque);
    const image = await load(opaque);
    const found = await detector.detect(image.pixels);
    const repaired = await inpaint(image, found.mask);
    const sheet = join(OUT, name);
    // Grey in the mask: what the network marked and the filters left alone (outlines, texture, faces' features).
    const network = (await detector.detect(image.pixels, { raw: true })).mask;
    await writeSheet(image, repaired.grownMask, repaired.image, sheet, network);
    const pixels = image.width * image.height;
    rows.push({ photo: name, maskedShare: repaired.grownMask.reduce((s, v) => s + v, 0) / repaired.grownMask.length, outlineShare: found.outlinePixels / pixels, textureShare: found.texturePixels / pixels, faces: found.faces, featureShare: found.faceFeaturePixels / pixels, sheet });
  }
  table(
    'Real old prints (../shared/testdata/old): share of the photo repaired; input | mask (white: repaired; grey: marked by the network, left alone) | output in .bench/repair/',
    ['photo', 'masked', 'outlines left alone', 'texture left alone', 'faces', 'features left alone', 'sheet'],
    rows.map((r) => [r.photo, `${f(100 * r.maskedShare, 2)} %`, `${f(100 * r.outlineShare, 2)} %`, `${f(100 * r.textureShare, 2)} %`, r.faces, `${f(100 * r.featureShare, 2)} %`, r.sheet]),
  );
  results.real = rows;
} else {
  console.log(`\n(${OLD_PRINTS} not found: the real-print part is skipped.)`);
}

// 3. Fading.
const random = seededRandom(77);
const between = (lo: number, hi: number) => lo + (hi - lo) * random();
const fadingRows: Array<{ photo: string; fadedBefore: number; fadedAfter: number; unfadedAfter: number; colourless: boolean; fadedAtFullStrength: number }> = [];
for (const file of HELD_OUT) {
  const clean = await load(file);
  const faded = simulateFading(clean, {
    contrast: between(0.55, 0.85),
    blackLift: between(0.04, 0.14),
    cast: [1, between(0.88, 1), between(0.7, 0.92)],
    gamma: [between(0.85, 1), 1, between(1.05, 1.25)],
  });
  const restored = restoreFading(faded);
  fadingRows.push({
    photo: file.split('/').pop()!,
    fadedBefore: deltaE76(faded, clean),
    fadedAfter: deltaE76(restored.image, clean),
    unfadedAfter: deltaE76(restoreFading(clean).image, clean),
    // A photo without colour is left as it is unless the user sets a strength: what 100 % gives.
    colourless: !restored.analysis.coloured,
    fadedAtFullStrength: deltaE76(restoreFading(faded, { strength: 1 }).image, clean),
  });
}
table(
  'Fading (mean CIE76 delta E to the unfaded photo)',
  ['photo', 'faded', 'restored', 'never faded, after', 'no colour: at a set 100 %'],
  fadingRows.map((r) => [r.photo, f(r.fadedBefore, 2), f(r.fadedAfter, 2), f(r.unfadedAfter, 2), r.colourless ? f(r.fadedAtFullStrength, 2) : '-']),
);
const fadedBefore = mean(fadingRows.map((r) => r.fadedBefore));
const fadedAfter = mean(fadingRows.map((r) => r.fadedAfter));
const worstUnfaded = Math.max(...fadingRows.map((r) => r.unfadedAfter));
console.log(`Faded set: ${f(fadedBefore, 2)} -> ${f(fadedAfter, 2)} (${f(100 * (1 - fadedAfter / fadedBefore), 0)} % less; target >= 50 %); never faded: worst ${f(worstUnfaded, 2)} (target <= 3)`);
results.fading = { rows: fadingRows, fadedBefore, fadedAfter, reduction: 1 - fadedAfter / fadedBefore, worstUnfaded };
await sessions.dispose();

// 4. Time: the repair stages against the default 4x upscale, through the engine, warm.
const home = resolve('.bench/repair-home');
mkdirSync(home, { recursive: true });
const photo768 = join(OUT, '768x512.png');
mkdirSync(OUT, { recursive: true });
await sharp(resolve('test/fixtures/photos/astronaut.png')).resize(768, 512, { fit: 'cover' }).png().toFile(photo768);
const core = new CoreServices<undefined>({ home, bundledModelsDir: bundledModelsDir(), appVersion: packageVersion(), devices: () => ({ resolver: cpuOnly, service: undefined }) });
async function stageMs(settings: Record<string, unknown>, outDir: string): Promise<Record<string, number>> {
  let done: FileDoneEvent | undefined;
  await core.engine.run({ inputs: [photo768], outDir, redo: true, tile: 256, ...settings }, (e) => {
    if (e.type === 'file-done') done = e;
  });
  if (!done?.stageMs) throw new Error('the timing photo was not restored');
  return done.stageMs;
}
const repairSettings = { modelId: 'none', scratches: true, fading: true };
await stageMs(repairSettings, join(home, 'warm-repair'));
const repair = await stageMs(repairSettings, join(home, 'repair'));
await stageMs({}, join(home, 'warm-upscale'));
const upscale = await stageMs({}, join(home, 'upscale'));
await core.dispose();
const repairMs = (repair.repair ?? 0) + (repair.fading ?? 0);
const ratio = repairMs / (upscale.upscale ?? Infinity);
table('Time on this CPU, 768x512 photo, warm', ['what', 'ms'], [['repair (detect + inpaint)', repair.repair ?? 0], ['fading', repair.fading ?? 0], ['default 4x upscale', upscale.upscale ?? 0]]);
console.log(`Repair stages / 4x upscale: ${f(ratio, 3)} (target <= 0.3)`);
results.time = { repairMs: repair.repair, fadingMs: repair.fading, upscaleMs: upscale.upscale, ratio };

console.log(`BENCH-RESULT ${JSON.stringify(results)}`);

/** input | mask (white = repaired, grey = marked by the network and left alone) | output, side by side, for looking at. */
async function writeSheet(input: DecodedImage, mask: Uint8Array, output: DecodedImage, path: string, network: Uint8Array): Promise<void> {
  const { width, height } = input;
  const rgb = (image: DecodedImage) => sharp(Buffer.from(image.pixels.data.buffer, image.pixels.data.byteOffset, image.pixels.data.byteLength), { raw: { width, height, channels: image.pixels.stride as 1 | 3 } }).toColourspace('srgb').png().toBuffer();
  const maskPng = await sharp(Buffer.from(mask.map((v, i) => (v ? 255 : network[i] ? 96 : 0))), { raw: { width, height, channels: 1 } }).toColourspace('srgb').png().toBuffer();
  await sharp({ create: { width: width * 3 + 20, height, channels: 3, background: '#808080' } })
    .composite([
      { input: await rgb(input), left: 0, top: 0 },
      { input: maskPng, left: width + 10, top: 0 },
      { input: await rgb(output), left: 2 * width + 20, top: 0 },
    ])
    .png()
    .toFile(path);
}
