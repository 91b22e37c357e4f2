/**
 * "Repair again" recomputes only what the edited mask changes: the real engine, the real
 * default upscaler (and a nearest-neighbour stand-in where exactness is checked bit for
 * bit), the near-white stand-in damage detector, real photos with drawn scratches.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { computedPixels, type Rect, type TilePlan } from '../../../src/core/inference/tiler.js';
import type { RestoreRequest } from '../../../src/core/restore/restore-engine.js';
import type { EarlierRestore } from '../../../src/core/stages/repair-again-work.js';
import { FADING_METHOD } from '../../../src/core/repair/fading.js';
import type { RestoreEvent } from '../../../src/shared/events.js';
import { photo, testEngine } from '../../helpers/engine.js';
import { psnr, readRaw, tempDir } from '../../helpers/images.js';
import { installStandInDamageModel } from '../../helpers/stand-in-damage-model.js';
import { installStandInModel, STAND_IN_MODEL_ID } from '../../fixtures/images/stand-in-model.js';
import { installStandInFaceModel } from '../faces/stand-in-face-model.js';
import { ModelRegistry } from '../../../src/core/models/model-registry.js';

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Chelsea, darkened, with a long diagonal and a vertical white scratch (the only near-white pixels). */
async function scratchedPhoto(file: string, width: number, height: number): Promise<string> {
  const { data } = await sharp(photo('chelsea.png')).resize(width, height).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let i = 0; i < data.length; i++) data[i] = Math.round(data[i]! * 0.8);
  for (let x = 8; x < width - 8; x++) {
    const y = Math.round(8 + (x * (height - 16)) / width);
    data.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
  }
  for (let y = 4; y < height - 4; y++) for (const x of [Math.floor(width / 2), Math.floor(width / 2) + 1]) data.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
  await sharp(data, { raw: { width, height, channels: 3 } }).png().toFile(file);
  return file;
}

/** A 0/255 grey mask PNG from a mask PNG with rectangles erased (0) and painted (1). */
async function editMask(from: Buffer | { width: number; height: number }, out: string, edits: { erase?: Rect[]; paint?: Rect[] }): Promise<string> {
  const { data, info } = Buffer.isBuffer(from)
    ? await sharp(from).greyscale().raw().toBuffer({ resolveWithObject: true })
    : { data: Buffer.alloc(from.width * from.height), info: { width: from.width, height: from.height } };
  const set = (r: Rect, v: number) => {
    for (let y = r.y; y < r.y + r.height; y++) data.fill(v, y * info.width + r.x, y * info.width + r.x + r.width);
  };
  for (const r of edits.erase ?? []) set(r, 0);
  for (const r of edits.paint ?? []) set(r, 255);
  await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } }).png().toFile(out);
  return out;
}

type Engine = ReturnType<typeof testEngine>;
interface Run {
  output: string;
  notes: string[];
  plan: TilePlan;
  jobId: string;
}

async function restore(t: Engine, request: RestoreRequest): Promise<Run> {
  const events: RestoreEvent[] = [];
  let plan: TilePlan | undefined;
  const summary = await t.engine.run(request, (e) => events.push(e), { onPlan: (_file, p) => (plan = p) });
  const done = events.find((e): e is Extract<RestoreEvent, { type: 'file-done' }> => e.type === 'file-done');
  assert.ok(done, JSON.stringify(events.filter((e) => e.type === 'file-failed' || e.type === 'warning')));
  assert.ok(plan, 'the engine reported its tile plan');
  return { output: done.output, notes: done.notes ?? [], plan, jobId: summary.jobId };
}

/** What the engine is told of the earlier result, as the studio reads it from the history (with the detector's weights and the fading method it recorded). */
function earlierOf(t: Engine, run: Run, settings: Omit<EarlierRestore, 'output' | 'outputSha256' | 'damageModel' | 'fadingMethod'>): EarlierRestore {
  const job = t.jobs.getJob(run.jobId)!;
  const file = job.files[0]!;
  assert.ok(file.outputSha256, 'the history recorded the output fingerprint');
  const { damageModel, fadingMethod } = job.settings as { damageModel?: string; fadingMethod?: number };
  return { output: run.output, outputSha256: file.outputSha256, ...(damageModel ? { damageModel } : {}), ...(fadingMethod ? { fadingMethod } : {}), ...settings };
}

/** Whether (x, y) of the photo lies in a tile's owned rectangle. */
const inOwned = (plan: TilePlan, x: number, y: number) => plan.tiles.some((t) => x >= t.owned.x && x < t.owned.x + t.owned.width && y >= t.owned.y && y < t.owned.y + t.owned.height);

describe('Repair again recomputes only the changed region', { timeout: 600_000 }, () => {
  let dir: string;
  let t: Engine;
  before(async () => {
    dir = tempDir('heirloom-repair-again-');
    installStandInDamageModel(join(dir, 'home'));
    await installStandInModel(join(dir, 'home'));
    installStandInFaceModel(join(dir, 'home', 'models'), 'stand-in-face');
    t = testEngine(join(dir, 'home'));
  });
  after(async () => {
    await t?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('with the default 4x upscaler: equals a full re-run (PSNR >= 50 dB), keeps every other pixel, runs the network on a fraction', async () => {
    const [w, h] = [192, 128];
    const input = await scratchedPhoto(join(dir, 'scratched.png'), w, h);
    const base = { inputs: [input], scratches: true, fading: true, saveMasks: true, format: 'png' as const, tile: 64, batch: 1 };
    const out = join(dir, 'out');
    const first = await restore(t, { ...base, outDir: out });
    const firstSha = sha(first.output);
    // Erase the lower part of the vertical scratch; paint a stain the detector missed.
    const erased = { x: 94, y: 96, width: 6, height: 32 };
    const stain = { x: 16, y: 110, width: 12, height: 4 };
    const maskFile = await editMask(readFileSync(join(out, 'scratched.mask.png')), join(dir, 'edited.png'), { erase: [erased], paint: [stain] });

    const earlier = earlierOf(t, first, { scratches: true, saveMasks: true, fading: true, faces: false });
    const again = await restore(t, { ...base, outDir: out, maskFile, redo: true, repairAgainOf: earlier });
    const full = await restore(t, { ...base, outDir: join(dir, 'full'), maskFile });

    assert.equal(again.output, join(out, 'scratched (1).png'), 'written beside the earlier output');
    assert.equal(sha(first.output), firstSha, 'the earlier output is untouched');
    assert.ok(again.notes.some((n) => /^repaired again in part: .* of the photo recomputed/.test(n)), again.notes.join('; '));

    const [a, b, e] = [await readRaw(again.output), await readRaw(full.output), await readRaw(first.output)];
    assert.deepEqual([a.width, a.height], [w * 4, h * 4]);
    const db = psnr(a.data, b.data);
    console.log(`repair again vs full re-run: PSNR ${db.toFixed(2)} dB; network input ${computedPixels(again.plan)} px against ${computedPixels(full.plan)} px`);
    assert.ok(db >= 50, `incremental vs full re-run: ${db.toFixed(2)} dB`);

    // The network saw only the tiles around the edits.
    assert.ok(again.plan.tiles.length > 0);
    assert.ok(computedPixels(again.plan) < 0.4 * computedPixels(full.plan), `${computedPixels(again.plan)} of ${computedPixels(full.plan)} px`);
    const reach = 12 + 8; // the model's tile overlap, and the inpainting's reach around a mask change
    for (const tile of again.plan.tiles) {
      const o = tile.owned;
      const nearEdit = [erased, stain].some((r) => o.x >= r.x - reach && o.y >= r.y - reach && o.x + o.width <= r.x + r.width + reach && o.y + o.height <= r.y + r.height + reach);
      assert.ok(nearEdit, `tile ${JSON.stringify(o)} lies around an edit`);
    }
    // Outside the recomputed rectangles, every sample is the earlier output's.
    let kept = 0;
    for (let y = 0; y < h * 4; y++) for (let x = 0; x < w * 4; x++) {
      if (inOwned(again.plan, Math.floor(x / 4), Math.floor(y / 4))) continue;
      const i = (y * w * 4 + x) * 3;
      assert.ok(a.data[i] === e.data[i] && a.data[i + 1] === e.data[i + 1] && a.data[i + 2] === e.data[i + 2], `pixel ${x},${y} kept`);
      kept++;
    }
    assert.ok(kept > 0.6 * w * h * 16, `${kept} pixels kept`);

    // The repaired area follows the edited mask: the erased scratch is white again, the stain repaired.
    const mask = await sharp(join(out, 'scratched (1).mask.png')).greyscale().raw().toBuffer();
    assert.equal(mask[110 * w + 96], 0, 'the erased part is not repaired');
    assert.equal(mask[111 * w + 20], 255, 'the painted stain is repaired');
    const grey = (img: { data: Buffer }, x: number, y: number) => (img.data[((y * 4 + 2) * w * 4 + x * 4 + 2) * 3]! + img.data[((y * 4 + 2) * w * 4 + x * 4 + 2) * 3 + 1]!) / 2;
    assert.ok(grey(a, 96, 110) > grey(e, 96, 110) + 40, `the scratch stays where the mask was erased (${grey(a, 96, 110)} against ${grey(e, 96, 110)})`);
  });

  describe('with a nearest-neighbour upscaler (no receptive field: exact)', () => {
    const [w, h] = [160, 112];
    let input: string;
    let maskFile: string;
    const base = () => ({ inputs: [input], modelId: STAND_IN_MODEL_ID, scratches: true, format: 'png' as const, tile: 48, batch: 1 });
    const earlierFields = { scratches: true, saveMasks: false, fading: false, faces: false };
    before(async () => {
      input = await scratchedPhoto(join(dir, 'exact.png'), w, h);
      // The mask Compare would show (a run that saved it), with a stain painted. The earlier
      // jobs below save no mask: Repair again finds theirs again with the detector.
      await restore(t, { ...base(), saveMasks: true, outDir: join(dir, 'exact-mask') });
      maskFile = await editMask(readFileSync(join(dir, 'exact-mask', 'exact.mask.png')), join(dir, 'exact-edit.png'), { paint: [{ x: 20, y: 60, width: 10, height: 10 }] });
    });

    it('equals a full re-run byte for byte, the earlier mask found again by the detector', async () => {
      const out = join(dir, 'exact-out');
      const first = await restore(t, { ...base(), outDir: out });
      // The history names the detector's weights, which Repair again checks before it trusts the detector to find the same mask.
      const earlier = earlierOf(t, first, earlierFields);
      assert.match(String(earlier.damageModel), /^damage-unet@[0-9a-f]{16}$/);
      const again = await restore(t, { ...base(), outDir: out, maskFile, redo: true, repairAgainOf: earlier });
      const full = await restore(t, { ...base(), outDir: join(dir, 'exact-full'), maskFile });
      assert.ok(again.notes.some((n) => n.startsWith('repaired again in part')), again.notes.join('; '));
      assert.ok((await readRaw(again.output)).data.equals((await readRaw(full.output)).data), 'the same pixels as a full re-run');
      assert.ok(computedPixels(again.plan) < 0.5 * computedPixels(full.plan));
    });

    it('keeps the fading strength the job set; an earlier job at another strength, or by another fading method, runs in full', async () => {
      const faded = { fading: true, fadingStrength: 70 };
      const out = join(dir, 'strength-out');
      const first = await restore(t, { ...base(), ...faded, outDir: out });
      const earlier = earlierOf(t, first, { ...earlierFields, ...faded });
      assert.equal(earlier.fadingMethod, FADING_METHOD, 'the history records how fading was measured');
      const again = await restore(t, { ...base(), ...faded, outDir: out, maskFile, redo: true, repairAgainOf: earlier });
      const full = await restore(t, { ...base(), ...faded, outDir: join(dir, 'strength-full'), maskFile });
      assert.ok(again.notes.some((n) => n.startsWith('repaired again in part')), again.notes.join('; '));
      assert.ok(again.notes.includes('faded colour restored at the strength set (70 %)'), again.notes.join('; '));
      const db = psnr((await readRaw(again.output)).data, (await readRaw(full.output)).data);
      assert.ok(db >= 50, `incremental vs full re-run: ${db.toFixed(2)} dB`);

      const { fadingMethod: _recorded, ...unrecorded } = earlier;
      for (const [spoilt, note] of [
        [{ ...earlier, fadingStrength: 40 }, 'the earlier job restored fading at another strength'],
        [{ ...earlier, fadingMethod: FADING_METHOD - 1 }, 'fading is measured differently since the earlier job'],
        [unrecorded, 'the history does not say how the earlier job measured fading'],
      ] as const) {
        const other = await restore(t, { ...base(), ...faded, outDir: out, maskFile, redo: true, repairAgainOf: spoilt });
        assert.ok(other.notes.includes(`repaired again in full: ${note}`), other.notes.join('; '));
        assert.ok((await readRaw(other.output)).data.equals((await readRaw(full.output)).data), 'the same pixels as a full re-run');
      }
    });

    const fallbacks: Array<[string, RegExp, (first: Run, earlier: EarlierRestore) => Promise<EarlierRestore> | EarlierRestore, 'png' | 'jpeg']> = [
      ['the earlier output was edited', /repaired again in full: the earlier output was changed after it was written/, async (first, earlier) => {
        const { data, info } = await sharp(first.output).raw().toBuffer({ resolveWithObject: true });
        data[0] = 255 - data[0]!;
        writeFileSync(first.output, await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).png().toBuffer());
        return earlier;
      }, 'png'],
      ['the earlier output is missing', /repaired again in full: the earlier output .* is missing/, (first, earlier) => {
        unlinkSync(first.output);
        return earlier;
      }, 'png'],
      ['the earlier output is a JPEG', /repaired again in full: the earlier output is in a lossy format/, (_first, earlier) => earlier, 'jpeg'],
      ['the damage detector changed since', /repaired again in full: the earlier mask was not saved and the damage detector changed since \(damage-unet@0123456789abcdef, now damage-unet@[0-9a-f]{16}\)/, (_first, earlier) => ({ ...earlier, damageModel: 'damage-unet@0123456789abcdef' }), 'png'],
      ['the history does not name the detector\'s weights', /repaired again in full: the earlier mask was not saved and the history does not say which damage detector found it/, (_first, { damageModel: _recorded, ...earlier }) => earlier, 'png'],
      ['the damage detector is not installed any more', /repaired again in full: the damage detector that found the earlier mask cannot be opened/, (_first, earlier) => {
        rmSync(join(dir, 'home', 'models', 'damage-unet'), { recursive: true });
        return earlier;
      }, 'png'],
    ];
    for (const [what, note, spoil, format] of fallbacks) {
      it(`runs in full, and says so, when ${what}`, async () => {
        const out = join(dir, `fallback-${what.replace(/\W+/g, '-')}`);
        const first = await restore(t, { ...base(), format, outDir: out });
        const earlier = await spoil(first, earlierOf(t, first, earlierFields));
        const earlierKept = existsSync(first.output);
        // A fresh engine (sessions are pooled per engine: a removed model must be opened again to be missed).
        const fresh = testEngine(join(dir, 'home'), { models: new ModelRegistry(join(dir, 'bundled'), join(dir, 'home', 'models')) });
        let again: Run;
        try {
          again = await restore(fresh, { ...base(), format, outDir: out, maskFile, redo: true, repairAgainOf: earlier });
        } finally {
          await fresh.dispose();
        }
        assert.ok(again.notes.some((n) => note.test(n)), again.notes.join('; '));
        assert.equal(computedPixels(again.plan), computedPixels((await restore(t, { ...base(), format, outDir: `${out}-full`, maskFile })).plan), 'the whole photo went through the network');
        if (format === 'png') {
          const full = await readRaw(join(`${out}-full`, basename(input)));
          assert.ok((await readRaw(again.output)).data.equals(full.data), 'the same pixels as a full re-run');
        }
        if (earlierKept) assert.notEqual(again.output, first.output, 'never over the earlier output');
      });
    }
  });

  describe('with faces', () => {
    let input: string;
    let earlierMask: string;
    const base = () => ({ inputs: [input], modelId: STAND_IN_MODEL_ID, scratches: true, faces: { modelId: 'stand-in-face' }, format: 'png' as const, tile: 128, batch: 1 });
    before(async () => {
      input = join(dir, 'portrait.png');
      await sharp(join('test/fixtures/faces/astronaut.png')).removeAlpha().png().toFile(input);
      // The earlier job was itself repaired with an edited mask: a short stroke low on the right.
      earlierMask = await editMask({ width: 512, height: 512 }, join(dir, 'portrait-earlier.png'), { paint: [{ x: 430, y: 470, width: 30, height: 3 }] });
    });

    for (const [what, stroke, restoredAgain] of [
      ['an edit far from the face keeps the face', { x: 400, y: 440, width: 40, height: 4 }, 0],
      ['an edit across the face restores that face again', { x: 200, y: 150, width: 40, height: 3 }, 1],
    ] as const) {
      it(`${what}, and equals a full re-run byte for byte`, async () => {
        const out = join(dir, `faces-${restoredAgain}`);
        const first = await restore(t, { ...base(), outDir: out, maskFile: earlierMask });
        assert.ok(first.notes.includes('1 face restored'), first.notes.join('; '));
        const edited = await editMask(readFileSync(earlierMask), join(dir, `portrait-edit-${restoredAgain}.png`), { paint: [stroke] });
        const earlier = earlierOf(t, first, { scratches: true, maskFile: earlierMask, saveMasks: false, fading: false, faces: true });
        const again = await restore(t, { ...base(), outDir: out, maskFile: edited, redo: true, repairAgainOf: earlier });
        const full = await restore(t, { ...base(), outDir: join(dir, `faces-full-${restoredAgain}`), maskFile: edited });
        assert.ok(again.notes.includes(`${restoredAgain} face${restoredAgain === 1 ? '' : 's'} restored again (the others kept)`), again.notes.join('; '));
        assert.ok((await readRaw(again.output)).data.equals((await readRaw(full.output)).data), 'the same pixels as a full re-run');
        assert.ok(existsSync(first.output) && again.output !== first.output);
        if (restoredAgain === 0) assert.ok(computedPixels(again.plan) < 0.2 * computedPixels(full.plan), `the face was not recomputed: ${computedPixels(again.plan)} of ${computedPixels(full.plan)} px`);
      });
    }
  });
});
