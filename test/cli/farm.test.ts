/**
 * Issue #18, end to end against a real redis-server: two `heirloom worker` processes, one
 * killed with SIGKILL mid-photo, and `heirloom restore --redis` reporting the job.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { tempDir } from '../helpers/images.js';
import { startRedis } from '../helpers/redis-server.js';
import { HOST_TAG, TEMP_SUFFIX } from '../../src/core/fs/atomic-output.js';
import { HeirloomChild, tinyPhotos, walk } from './restore-resume-helpers.js';

type Event = Record<string, unknown> & { type: string };

function worker(url: string, home: string, name: string): HeirloomChild {
  return new HeirloomChild(['worker', '--redis', url, '--home', home, '--name', name, '--lock-ms', '1500', '--threads', '1']);
}

async function ready(child: HeirloomChild, name: string): Promise<void> {
  assert.ok(await child.until(() => child.stderr.includes(`worker ${name} restoring from`), 30_000), `worker ${name} started: ${child.stderr}`);
}

function finished(child: HeirloomChild): Event {
  const last = child.events.find((e) => e.type === 'job-finished');
  assert.ok(last, `the job finished: ${child.stderr}`);
  return last;
}

test('farm: two workers, 30 photos and a bad one, one worker SIGKILLed mid-photo: one valid output per photo, no temporaries, right counts; sent again, all skipped', { timeout: 240_000 }, async (t) => {
  const redis = await startRedis();
  const dir = tempDir('heirloom-farm-');
  const inDir = join(dir, 'in');
  const outDir = join(dir, 'out');
  mkdirSync(inDir);
  // 72..96 px: nine tiles of 32 each, long enough on one thread for a kill to land mid-photo.
  const photos = await Promise.all(
    (await tinyPhotos(30)).map(async (p) => ({ name: p.name, width: p.width * 3, height: p.height * 3, bytes: await sharp(p.bytes).resize(p.width * 3, p.height * 3, { kernel: 'nearest' }).png().toBuffer() })),
  );
  for (const photo of photos) writeFileSync(join(inDir, photo.name), photo.bytes);
  writeFileSync(join(inDir, 'zz-bad.png'), 'not a photo at all');
  const w1 = worker(redis.url, join(dir, 'w1'), 'w1');
  const w2 = worker(redis.url, join(dir, 'w2'), 'w2');
  try {
    await Promise.all([ready(w1, 'w1'), ready(w2, 'w2')]);
    const restoreArgs = ['restore', inDir, '--out', outDir, '--redis', redis.url, '--scale', '1', '--tile', '32', '--batch', '1', '--json', '--home', join(dir, 'submitter')];
    const submit = new HeirloomChild(restoreArgs);
    // Mid-photo: w1 is at most a third through a photo's tiles, after it has restored two.
    const latestOfW1 = () => [...submit.events].reverse().find((e) => e.worker === 'w1');
    const midPhoto = () => {
      const latest = latestOfW1();
      return submit.events.filter((e) => e.type === 'file-done' && e.worker === 'w1').length >= 2 && latest?.type === 'progress' && latest.stage === 'inferring' && Number(latest.tiles) >= 6 && Number(latest.tile) <= Number(latest.tiles) / 3;
    };
    assert.ok(await submit.until(midPhoto, 120_000), `w1 was caught inferring mid-job: ${submit.stderr}`);
    const victim = latestOfW1()!.file as string;
    assert.equal(await w1.kill('SIGKILL'), null);
    const doneBeforeKill = submit.count('file-done');
    assert.ok(await submit.until(() => submit.count('job-finished') === 1, 150_000), `the job finished after the kill: ${submit.stderr}`);
    assert.equal(await submit.exited, 1, 'exit 1: one photo failed');

    const end = finished(submit);
    assert.equal(end.succeeded, 30);
    assert.equal(end.failed, 1);
    assert.equal(end.skipped, 0);
    const failed = submit.events.filter((e) => e.type === 'file-failed');
    assert.deepEqual(failed.map((e) => [e.file, e.code]), [[join(inDir, 'zz-bad.png'), 'UNSUPPORTED_FORMAT']], 'the bad photo fails alone, with its code');
    assert.match(failed[0]!.message as string, /not a photo/);
    const dones = submit.events.filter((e) => e.type === 'file-done');
    assert.ok(dones.every((e) => e.worker === 'w1' || e.worker === 'w2'), 'every result names its worker');
    const victimDone = dones.find((e) => e.file === victim);
    t.diagnostic(`victim event: ${JSON.stringify(victimDone)} index ${dones.indexOf(victimDone!)} of ${doneBeforeKill} before kill`);
    assert.equal(victimDone?.worker, 'w2', `${victim}, w1's photo when it was killed, was restored by w2`);
    assert.ok(dones.filter((e) => e.worker === 'w1').length >= 2, 'w1 restored photos before it was killed');
    assert.ok(dones.slice(doneBeforeKill).every((e) => e.worker === 'w2'), 'after the kill, only w2 restores');
    assert.ok(submit.events.filter((e) => e.type === 'progress').every((e) => typeof e.worker === 'string'), 'progress names its worker');

    // Exactly one valid output per photo, nothing else, no temporary file anywhere.
    assert.deepEqual(walk(dir).filter((p) => p.endsWith(TEMP_SUFFIX) || p.includes('.heirloom-write-test-')), [], 'no temporary file is left');
    assert.deepEqual(readdirSync(outDir).sort(), photos.map((p) => p.name).sort(), 'one output per photo, under its own name');
    for (const photo of photos) {
      const meta = await sharp(join(outDir, photo.name)).metadata();
      assert.deepEqual([meta.width, meta.height], [photo.width, photo.height], `${photo.name} decodes at its size`);
    }

    // The same photos sent again: every one is skipped with its output; the bad one fails again, alone.
    const again = new HeirloomChild(restoreArgs);
    await again.exited;
    const second = finished(again);
    assert.deepEqual([second.succeeded, second.skipped, second.failed], [0, 30, 1], again.stderr);
    for (const e of again.events.filter((x) => x.type === 'file-skipped')) assert.ok(readdirSync(outDir).includes(String(e.output).slice(outDir.length + 1)), `${String(e.file)} is skipped with its output`);
    assert.equal(readdirSync(outDir).length, 30, 'nothing new was written');

    // w1 restarted after its crash: it cleans what this machine's dead processes left in the output folder.
    const leftover = join(outDir, `.photo-000.png.${HOST_TAG}p${spawnSync(process.execPath, ['-e', '0']).pid}-deadbeef${TEMP_SUFFIX}`);
    writeFileSync(leftover, 'half an output');
    const w1again = worker(redis.url, join(dir, 'w1'), 'w1');
    try {
      await ready(w1again, 'w1');
      assert.match(w1again.stderr, /after a crash: 1 interrupted local job\(s\) recovered, 1 temporary file/);
      assert.equal(existsSync(leftover), false, 'the restarted worker removed the leftover temporary file');
    } finally {
      assert.equal(await w1again.kill('SIGTERM'), 0);
    }

    // SIGTERM: the surviving worker leaves the farm cleanly.
    const stopStarted = Date.now();
    assert.equal(await w2.kill('SIGTERM'), 0, w2.stderr);
    assert.ok(Date.now() - stopStarted < 5000, 'the worker stopped within 5 s');
    t.diagnostic(`victim ${victim}; ${dones.filter((e) => e.worker === 'w1').length} photos by w1, ${dones.filter((e) => e.worker === 'w2').length} by w2; first job ${String(end.ms)} ms`);
  } finally {
    await Promise.all([w1.kill('SIGKILL'), w2.kill('SIGKILL')]);
    await redis.stop();
  }
});

test('farm: SIGTERM on a worker in the middle of a long photo hands it back at once; another worker restores it, one output, no temporaries', { timeout: 180_000 }, async () => {
  const redis = await startRedis();
  const dir = tempDir('heirloom-farm-term-');
  const inDir = join(dir, 'in');
  const outDir = join(dir, 'out');
  mkdirSync(inDir);
  // Long enough on one thread that it cannot finish within the worker's stop grace (2.5 s),
  // even on an idle machine: x10 finished inside it there (about 2.8 s from the worker's start).
  const [tiny] = await tinyPhotos(1);
  await sharp(tiny!.bytes).resize(tiny!.width * 20, tiny!.height * 20).png().toFile(join(inDir, 'big.png'));
  const w1 = worker(redis.url, join(dir, 'w1'), 'w1');
  let w2: HeirloomChild | undefined;
  try {
    await ready(w1, 'w1');
    const submit = new HeirloomChild(['restore', inDir, '--out', outDir, '--redis', redis.url, '--scale', '1', '--tile', '32', '--batch', '1', '--json', '--home', join(dir, 'submitter')]);
    assert.ok(await submit.until(() => submit.events.some((e) => e.type === 'progress' && e.worker === 'w1' && e.stage === 'inferring'), 60_000), submit.stderr);
    const stopAsked = Date.now();
    assert.equal(await w1.kill('SIGTERM'), 0, w1.stderr);
    assert.ok(Date.now() - stopAsked < 5000, 'the worker stopped within 5 s');
    assert.match(w1.stderr, /big\.png: handed back to the queue/);
    w2 = worker(redis.url, join(dir, 'w2'), 'w2');
    assert.ok(await submit.until(() => submit.count('job-finished') === 1, 120_000), submit.stderr);
    const end = finished(submit);
    assert.deepEqual([end.succeeded, end.failed], [1, 0]);
    assert.equal(submit.events.find((e) => e.type === 'file-done')?.worker, 'w2');
    assert.deepEqual(readdirSync(outDir), ['big.png']);
    assert.deepEqual(walk(dir).filter((p) => p.endsWith(TEMP_SUFFIX)), []);
  } finally {
    await Promise.all([w1.kill('SIGKILL'), w2?.kill('SIGKILL')]);
    await redis.stop();
  }
});

test('farm: a password on the command line is in no output and, once started, not in the process list', { timeout: 60_000 }, async () => {
  const password = 'cli-pa55word';
  const redis = await startRedis({ requirePass: password });
  const dir = tempDir('heirloom-farm-secret-');
  const child = spawn(process.execPath, ['bin/heirloom.mjs', 'worker', '--redis', redis.url, '--home', join(dir, 'w'), '--name', 'secret-w'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  try {
    for (let i = 0; i < 600 && !output.includes('restoring from'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(output, /worker secret-w restoring from redis:\/\/:\*\*\*@127\.0\.0\.1/);
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
    assert.ok(!cmdline.includes(password), `the process list shows "${cmdline.replaceAll('\0', ' ')}"`);
    const status = spawnSync(process.execPath, ['bin/heirloom.mjs', 'farm', 'status', '--redis', redis.url, '--json'], { encoding: 'utf8' });
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /"name":"secret-w"/);
    const wrong = spawnSync(process.execPath, ['bin/heirloom.mjs', 'farm', 'status', '--redis', redis.url.replace(password, 'not-it')], { encoding: 'utf8' });
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /WRONGPASS/);
    for (const text of [output, status.stdout, status.stderr, wrong.stdout, wrong.stderr]) assert.ok(!text.includes(password) && !text.includes('not-it'));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await redis.stop();
  }
});
