/**
 * Damage repair and fading through the real `heirloom` command. The damage detector here is
 * a stand-in with the bundled detector's signature that marks near-white pixels, so each
 * test knows exactly which pixels are damage; the bundled detector's own quality is shown
 * by `npm run bench repair`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { photo, runCli } from '../helpers/engine.js';
import { readRaw, tempDir } from '../helpers/images.js';
import { installStandInDamageModel } from '../helpers/stand-in-damage-model.js';
import { buildStandInUpscaleModel } from '../core/models/catalog/stand-in-upscale-model.js';
import { truncatedCopy } from '../fixtures/images/photo-fixtures.js';
import { openDatabase } from '../../src/core/store/database.js';
import { JobStore } from '../../src/core/store/job-store.js';
import { resumeRequest } from '../../src/core/restore/resume-request.js';
import { requestFor } from '../../src/core/watch/watch-service.js';
import { WatchPresetSchema } from '../../src/shared/watch.js';
import type { FileDoneEvent, FileFailedEvent, JobStartedEvent, ProgressEvent, WarningEvent } from '../../src/shared/events.js';

/** A cat with white scratches: a diagonal line and a vertical one (the only near-white pixels). */
async function scratchedPhoto(dir: string): Promise<{ file: string; scratch: Set<number>; width: number; height: number }> {
  mkdirSync(dir, { recursive: true });
  const width = 120;
  const height = 80;
  const { data } = await sharp(photo('chelsea.png')).resize(width, height).raw().toBuffer({ resolveWithObject: true });
  // Darken the photo a little so nothing but the scratches is near white.
  for (let i = 0; i < data.length; i++) data[i] = Math.round(data[i]! * 0.8);
  const scratch = new Set<number>();
  for (let x = 10; x < 110; x++) scratch.add(Math.round(10 + x * 0.5) * width + x);
  for (let y = 5; y < 75; y++) for (const x of [60, 61]) scratch.add(y * width + x);
  for (const p of scratch) data.fill(255, p * 3, p * 3 + 3);
  const file = join(dir, 'scratched.png');
  await sharp(data, { raw: { width, height, channels: 3 } }).png().toFile(file);
  return { file, scratch, width, height };
}

test('--scratches repairs what the detector marks and nothing else; --save-masks writes the mask beside the output', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const home = join(dir, 'home');
  installStandInDamageModel(home);
  const { file, scratch, width, height } = await scratchedPhoto(join(dir, 'in'));
  const run = await runCli(['restore', file, '--out', join(dir, 'out'), '--json', '--home', home, '--model', 'none', '--scratches', '--save-masks']);
  assert.equal(run.code, 0, run.stderr);
  const done = run.events.find((e): e is FileDoneEvent => e.type === 'file-done')!;
  assert.ok(done.notes?.some((n) => /damage repaired on [\d.]+ % of the photo/.test(n)), JSON.stringify(done.notes));

  const maskFile = join(dir, 'out', 'scratched.mask.png');
  const meta = await sharp(maskFile).metadata();
  assert.deepEqual([meta.width, meta.height, meta.channels, meta.format], [width, height, 1, 'png'], 'the mask is a grey PNG of the photo\'s size');
  const mask = { data: await sharp(maskFile).extractChannel(0).raw().toBuffer() };
  const [before, after] = [await readRaw(file), await readRaw(done.output)];
  let outside = 0;
  let changedOutside = 0;
  for (let p = 0; p < width * height; p++) {
    if (mask.data[p] !== 0) continue;
    outside++;
    for (let c = 0; c < 3; c++) if (before.data[p * 3 + c] !== after.data[p * 3 + c]) changedOutside++;
  }
  assert.ok(outside > width * height * 0.8, `most of the photo is outside the mask (${outside})`);
  assert.equal(changedOutside, 0, 'no pixel outside the mask changed');
  for (const p of scratch) assert.equal(mask.data[p], 255, `scratch pixel ${p} is in the mask`);
  const stillWhite = [...scratch].filter((p) => after.data[p * 3]! > 240 && after.data[p * 3 + 1]! > 240 && after.data[p * 3 + 2]! > 240).length;
  assert.ok(stillWhite < scratch.size * 0.02, `the scratch is painted out (${stillWhite} of ${scratch.size} still white)`);
});

test('stages run in order: decode, repair, fading, upscale, faces, encode; --old-photo without a face model warns and runs the rest', { timeout: 180_000 }, async () => {
  const dir = tempDir();
  const home = join(dir, 'home');
  installStandInDamageModel(home);
  const { file } = await scratchedPhoto(join(dir, 'in'));
  const repairOnly = await runCli(['restore', file, '--out', join(dir, 'a'), '--json', '--home', home, '--model', 'none', '--scratches', '--fading']);
  assert.equal(repairOnly.code, 0, repairOnly.stderr);
  const stages = repairOnly.events.filter((e): e is ProgressEvent => e.type === 'progress').map((e) => e.stage);
  const firsts = stages.filter((s, i) => stages.indexOf(s) === i);
  assert.deepEqual(firsts, ['decoding', 'repairing', 'fading', 'encoding']);
  assert.deepEqual(Object.keys(repairOnly.events.find((e): e is FileDoneEvent => e.type === 'file-done')!.stageMs!), ['decode', 'repair', 'fading', 'encode']);

  const oldPhoto = await runCli(['restore', file, '--out', join(dir, 'b'), '--json', '--home', home, '--old-photo', '--tile', '64']);
  assert.equal(oldPhoto.code, 0, oldPhoto.stderr);
  const warning = oldPhoto.events.find((e): e is WarningEvent => e.type === 'warning' && e.code === 'STAGE_UNAVAILABLE');
  assert.match(warning?.message ?? '', /No face-restoration model is installed/);
  const done = oldPhoto.events.find((e): e is FileDoneEvent => e.type === 'file-done')!;
  assert.deepEqual(Object.keys(done.stageMs!), ['decode', 'repair', 'fading', 'upscale', 'encode']);
  assert.deepEqual([done.width, done.height], [480, 320], 'repaired at the photo\'s size, then upscaled 4x');
});

test('the repair settings round-trip through the history, resume and a watch preset', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const home = join(dir, 'home');
  installStandInDamageModel(home);
  const { file } = await scratchedPhoto(join(dir, 'in'));
  const noStrength = await runCli(['restore', file, '--out', join(dir, 'out'), '--home', home, '--fading-strength', '0']);
  assert.equal(noStrength.code, 2);
  assert.match(noStrength.stderr, /--fading-strength must be .*1.*100/);
  // --fading-strength implies --fading.
  const run = await runCli(['restore', file, '--out', join(dir, 'out'), '--json', '--home', home, '--model', 'none', '--scratches', '--fading-strength', '60', '--save-masks']);
  assert.equal(run.code, 0, run.stderr);
  const done = run.events.find((e): e is FileDoneEvent => e.type === 'file-done')!;
  assert.ok(done.notes?.includes('faded colour restored at the strength set (60 %)'), JSON.stringify(done.notes));
  const jobId = run.events.find((e): e is JobStartedEvent => e.type === 'job-started')!.jobId;
  const db = openDatabase(join(home, 'heirloom.db'));
  try {
    const job = new JobStore(db).getJob(jobId)!;
    assert.deepEqual([job.settings.scratches, job.settings.fading, job.settings.fadingStrength, job.settings.saveMasks], [true, true, 60, true]);
    const request = resumeRequest(job);
    assert.deepEqual([request.scratches, request.fading, request.fadingStrength, request.saveMasks, request.modelId], [true, true, 60, true, 'none']);
  } finally {
    db.close();
  }
  const preset = WatchPresetSchema.parse({ modelId: 'none', scratches: true, fading: true, fadingStrength: 60, saveMasks: true });
  const watched = requestFor({ id: 'w1', path: '/scans', outDir: '/out', preset, paused: false, owner: null, createdAt: 0, updatedAt: 0 });
  assert.deepEqual([watched.scratches, watched.fading, watched.fadingStrength, watched.saveMasks, watched.modelId], [true, true, 60, true, 'none']);
});

test('the damage model\'s manifest and signature are checked on load', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const { file } = await scratchedPhoto(join(dir, 'in'));
  const wrongTask = join(dir, 'wrong-task');
  installStandInDamageModel(wrongTask, { task: 'restore-upscale' });
  const a = await runCli(['restore', file, '--out', join(dir, 'a'), '--json', '--home', wrongTask, '--model', 'none', '--scratches']);
  assert.equal(a.code, 1);
  assert.match(a.stderr, /damage-unet is a restore-upscale model, not a damage detector/);

  const wrongSignature = join(dir, 'wrong-signature');
  const manifest = installStandInDamageModel(wrongSignature);
  // An upscaler's file behind a detector's manifest: three channels out, not a mask.
  writeFileSync(join(wrongSignature, 'models', manifest.id, 'model.onnx'), buildStandInUpscaleModel({ scale: 1 }));
  const b = await runCli(['restore', file, '--out', join(dir, 'b'), '--json', '--home', wrongSignature, '--model', 'none', '--scratches']);
  assert.equal(b.code, 1);
  assert.match(b.stderr, /not a usable damage-detect model: it needs exactly one float32 N x 1 x H x W mask output/);
});

test('with repair on, a bad photo still fails alone with its code', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const home = join(dir, 'home');
  installStandInDamageModel(home);
  const { file } = await scratchedPhoto(join(dir, 'in'));
  await truncatedCopy(file, join(dir, 'in', 'truncated.png'), 0.5);
  const run = await runCli(['restore', join(dir, 'in'), '--out', join(dir, 'out'), '--json', '--home', home, '--model', 'none', '--scratches', '--fading']);
  assert.equal(run.code, 1);
  const failed = run.events.filter((e): e is FileFailedEvent => e.type === 'file-failed');
  assert.deepEqual(failed.map((f) => [f.file.endsWith('truncated.png'), f.code]), [[true, 'TRUNCATED']]);
  assert.equal(run.events.filter((e) => e.type === 'file-done').length, 1);
});
