import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { photo, runCli } from '../helpers/engine.js';
import { tempDir } from '../helpers/images.js';
import type { FileDoneEvent, JobFinishedEvent, ProgressEvent } from '../../src/shared/events.js';

/** Small real photos keep each CLI run to a few seconds. */
async function smallPhotos(dir: string) {
  mkdirSync(dir, { recursive: true });
  const colour = join(dir, 'cat.png');
  const grey = join(dir, 'camera.png');
  const rgba = join(dir, 'cat-alpha.png');
  await sharp(photo('chelsea.png')).resize(60, 40).png().toFile(colour);
  await sharp(photo('camera.png')).resize(48, 48).toColourspace('b-w').png().toFile(grey);
  assert.equal((await sharp(grey).metadata()).channels, 1);
  const { data, info } = await sharp(photo('chelsea.png')).resize(40, 30).raw().toBuffer({ resolveWithObject: true });
  const withAlpha = Buffer.alloc(info.width * info.height * 4);
  for (let i = 0; i < info.width * info.height; i++) {
    data.copy(withAlpha, i * 4, i * 3, i * 3 + 3);
    withAlpha[i * 4 + 3] = i % info.width < info.width / 2 ? 255 : 0; // left half opaque, right half transparent
  }
  await sharp(withAlpha, { raw: { width: info.width, height: info.height, channels: 4 } }).png().toFile(rgba);
  return { colour, grey, rgba };
}

test('restore --json: the event contract, 4x outputs, grayscale stays grayscale, alpha reattached, history and models', { timeout: 180_000 }, async () => {
  const dir = tempDir();
  const { colour, grey, rgba } = await smallPhotos(join(dir, 'in'));
  const home = join(dir, 'home');
  const run = await runCli(['restore', join(dir, 'in'), '--out', join(dir, 'out'), '--json', '--home', home, '--tile', '32']);
  assert.equal(run.code, 0, run.stderr);
  const types = run.events.map((e) => e.type);
  assert.equal(types[0], 'job-started');
  assert.equal(types.at(-1), 'job-finished');
  const progress = run.events.filter((e): e is ProgressEvent => e.type === 'progress');
  assert.ok(progress.length > 0);
  for (const p of progress) for (const key of ['file', 'stage', 'tile', 'tiles', 'batchSize', 'recommendedBatch'] as const) assert.ok(key in p, `progress has ${key}`);
  assert.ok(progress.some((p) => p.stage === 'inferring' && p.tiles > 1 && p.recommendedBatch >= 1 && p.memory && p.memory.budgetBytes > 0));
  const done = run.events.filter((e): e is FileDoneEvent => e.type === 'file-done');
  assert.equal(done.length, 3);
  const byFile = new Map(done.map((d) => [d.file, d]));
  assert.deepEqual([byFile.get(colour)!.width, byFile.get(colour)!.height], [240, 160]);
  for (const d of done) assert.ok(typeof d.ms === 'number' && d.output.startsWith(join(dir, 'out')));
  const finished = run.events.at(-1) as JobFinishedEvent;
  assert.deepEqual([finished.succeeded, finished.failed], [3, 0]);

  const greyOut = await sharp(byFile.get(grey)!.output).metadata();
  assert.equal(greyOut.channels, 1, 'grayscale photo stays grayscale');
  const alphaOut = await sharp(byFile.get(rgba)!.output).raw().toBuffer({ resolveWithObject: true });
  assert.equal(alphaOut.info.channels, 4);
  const at = (x: number, y: number) => alphaOut.data[(y * alphaOut.info.width + x) * 4 + 3];
  assert.equal(at(10, 60), 255, 'opaque side stays opaque');
  assert.equal(at(150, 60), 0, 'transparent side stays transparent');

  const history = await runCli(['history', '--json', '--home', home]);
  assert.equal(history.code, 0);
  const jobs = history.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; files: Array<{ status: string; inputPath: string; outputPath: string }> });
  assert.equal(jobs[0]!.id, finished.jobId);
  assert.deepEqual(jobs[0]!.files.map((f) => f.status), ['done', 'done', 'done']);

  const models = await runCli(['models', '--json', '--home', home]);
  const ids = models.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: string; scale: number }).id);
  assert.ok(ids.includes('realesr-general-x4v3') && ids.includes('realesrgan-x4plus'), ids.join(','));
});

test('restore --scale 2 resizes the model output, and a bad file fails alone with exit code 1', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const { colour } = await smallPhotos(join(dir, 'in'));
  const bad = join(dir, 'in', 'notes.jpg');
  writeFileSync(bad, 'this is not a photo');
  const run = await runCli(['restore', colour, bad, '--out', join(dir, 'out'), '--json', '--home', join(dir, 'home'), '--scale', '2', '--tile', '32']);
  assert.equal(run.code, 1);
  const done = run.events.filter((e): e is FileDoneEvent => e.type === 'file-done');
  assert.deepEqual([done[0]!.width, done[0]!.height], [120, 80]);
  const failed = run.events.find((e) => e.type === 'file-failed');
  assert.ok(failed && failed.type === 'file-failed' && failed.file === bad && failed.message.includes(bad));
  assert.deepEqual(readdirSync(join(dir, 'out')), ['cat.png']);
});

test('usage errors exit with code 2', async () => {
  const dir = tempDir();
  for (const args of [['restore', dir, '--out', dir, '--home', join(dir, 'h')], ['restore', 'x.png'], ['restore', 'x.png', '--out', dir, '--tile', 'big'], ['restore', 'x.png', '--out', dir, '--scale', '9', '--home', join(dir, 'h')], ['frobnicate']]) {
    const run = await runCli(args);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.ok(run.stderr.length > 0);
  }
});
