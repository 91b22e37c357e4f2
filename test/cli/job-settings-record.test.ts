import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { photo, runCli } from '../helpers/engine.js';
import { readRaw, tempDir } from '../helpers/images.js';
import { openDatabase } from '../../src/core/store/database.js';
import { JobStore } from '../../src/core/store/job-store.js';
import { jobSettingsOf } from '../../src/core/restore/restore-engine.js';
import { resumeRequest } from '../../src/core/restore/resume-request.js';
import { StoredJobSettingsSchema } from '../../src/shared/job-settings.js';
import type { FileDoneEvent, JobStartedEvent, ProgressEvent } from '../../src/shared/events.js';

async function smallPhoto(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'cat.png');
  await sharp(photo('chelsea.png')).resize(48, 32).png().toFile(file);
  return file;
}

test('the job settings record round-trips: CLI options -> history -> resume -> the studio view', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const input = await smallPhoto(join(dir, 'in'));
  const home = join(dir, 'home');
  const out = join(dir, 'out');
  const run = await runCli(['restore', input, '--out', out, '--json', '--home', home, '--model', 'none', '--format', 'jpeg', '--quality', '83', '--tile', '64', '--batch', '2', '--threads', '1', '--strip-metadata', '--max-pixels', '5000000']);
  assert.equal(run.code, 0, run.stderr);
  const jobId = run.events.find((e): e is JobStartedEvent => e.type === 'job-started')!.jobId;

  const db = openDatabase(join(home, 'heirloom.db'));
  try {
    const job = new JobStore(db).getJob(jobId)!;
    const expected = { inputs: [input], outDir: out, modelId: 'none', scale: 1, tile: 64, batch: 2, threads: 1, format: 'jpeg', quality: 83, stripMetadata: true, maxPixels: 5_000_000, overwrite: false };
    assert.deepEqual(StoredJobSettingsSchema.parse(job.settings), expected, 'the history holds exactly the record the options made');
    const request = resumeRequest(job);
    assert.equal(request.resumeJobId, jobId);
    const { inputs, outDir, ...settings } = expected;
    assert.deepEqual(jobSettingsOf(request), settings, 'resume runs with the same record');
    assert.deepEqual([request.inputs, request.outDir], [inputs, outDir]);
  } finally {
    db.close();
  }
});

test('an old history row (settings written before the record existed) still reads and resumes', () => {
  const db = openDatabase(':memory:');
  try {
    const jobs = new JobStore(db);
    // As an earlier version wrote it: faces with model and weight, and a provider this version does not know.
    const legacy = { inputs: ['/scans/a.jpg'], outDir: '/out', modelId: 'realesr-general-x4v3', scale: 2, tile: 'auto', batch: 'auto', format: 'keep', overwrite: false, faces: { modelId: 'gpen-bfr-512', weight: 0.5 }, quality: 90, provider: 'opencl', threads: 2 };
    jobs.createJob({ id: 'old-job', kind: 'restore', settings: legacy, modelId: 'realesr-general-x4v3', deviceId: 'cpu', inputs: ['/scans/a.jpg'], files: [{}] });
    const job = jobs.getJob('old-job')!;
    const { provider: _dropped, ...readable } = legacy;
    assert.deepEqual(job.settings, readable, 'the unknown provider is dropped, everything else kept');
    const request = resumeRequest(job);
    assert.deepEqual(request.faces, { modelId: 'gpen-bfr-512', weight: 0.5 });
    assert.equal(request.scale, 2);
    assert.equal(request.provider, undefined);
  } finally {
    db.close();
  }
});

test('--model none: no super-resolution network; the photo keeps its size and its pixels', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const input = await smallPhoto(join(dir, 'in'));
  const run = await runCli(['restore', input, '--out', join(dir, 'out'), '--json', '--home', join(dir, 'home'), '--model', 'none']);
  assert.equal(run.code, 0, run.stderr);
  const done = run.events.find((e): e is FileDoneEvent => e.type === 'file-done')!;
  assert.deepEqual([done.width, done.height], [48, 32]);
  const [a, b] = [await readRaw(input), await readRaw(done.output)];
  assert.deepEqual(b.data, a.data, 'without a stage that changes pixels, the output is the photo');
  assert.equal(run.events.find((e): e is JobStartedEvent => e.type === 'job-started')!.model, 'none');
  assert.ok(!run.events.some((e) => e.type === 'progress' && (e as ProgressEvent).stage === 'inferring'), 'no network ran');
  assert.deepEqual(Object.keys(done.stageMs ?? {}), ['decode', 'encode']);

  const scaled = await runCli(['restore', input, '--out', join(dir, 'out2'), '--json', '--home', join(dir, 'home'), '--model', 'none', '--scale', '2']);
  assert.equal(scaled.code, 2, 'a usage error');
  assert.match(scaled.stderr + scaled.stdout, /--model none keeps each photo's size/);
});

test('file-done carries each stage\'s milliseconds, in the order the stages ran', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const input = await smallPhoto(join(dir, 'in'));
  const run = await runCli(['restore', input, '--out', join(dir, 'out'), '--json', '--home', join(dir, 'home'), '--tile', '32']);
  assert.equal(run.code, 0, run.stderr);
  const done = run.events.find((e): e is FileDoneEvent => e.type === 'file-done')!;
  assert.deepEqual(Object.keys(done.stageMs ?? {}), ['decode', 'upscale', 'encode']);
  assert.ok(Object.values(done.stageMs!).every((ms) => Number.isFinite(ms) && ms >= 0));
  assert.ok(done.stageMs!.upscale! > 0, 'the network took time');
});
