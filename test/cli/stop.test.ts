import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { photo, runCli, testEngine } from '../helpers/engine.js';
import { tempDir } from '../helpers/images.js';
import type { RestoreEvent } from '../../src/shared/events.js';

/** The real `heirloom` command, with its --json events as they come, to stop it at a chosen moment. */
function startCli(args: string[]) {
  const child = spawn(process.execPath, [resolve('bin/heirloom.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: RestoreEvent[] = [];
  const watchers: Array<() => void> = [];
  let stderr = '';
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as RestoreEvent);
    for (const w of watchers) w();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((done) => child.on('exit', (code) => done({ code, at: Date.now() })));
  return {
    child,
    events,
    get stderr() {
      return stderr;
    },
    exited,
    /** Resolves with the first event matching `match` (rejects if the process ends first). */
    waitFor(match: (e: RestoreEvent) => boolean): Promise<RestoreEvent> {
      return new Promise((done, fail) => {
        const check = () => {
          const found = events.find(match);
          if (found) done(found);
        };
        watchers.push(check);
        check();
        void exited.then(() => fail(new Error(`exited before the event; stderr: ${stderr}`)));
      });
    },
  };
}

/** Whether process `pid` has `file` open (Linux: /proc/PID/fd). */
function hasOpen(pid: number, file: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

async function stopAndTime(run: ReturnType<typeof startCli>): Promise<{ code: number | null; ms: number }> {
  const sent = Date.now();
  run.child.kill('SIGTERM');
  const { code, at } = await run.exited;
  return { code, ms: at - sent };
}

/** Everything under `dir` (hidden temporary outputs included). */
function leftovers(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
}

test('--out /proc/x fails at once with OUTPUT_NOT_WRITABLE: the engine under 2 s, the command under 2 s more than its own start-up', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const input = join(dir, 'cat.png');
  await sharp(photo('chelsea.png')).resize(24, 16).png().toFile(input);
  const { engine, dispose } = testEngine(join(dir, 'home-engine'));
  try {
    const started = Date.now();
    await assert.rejects(engine.run({ inputs: [input], outDir: '/proc/x' }, () => undefined), (e) => (e as { code?: string }).code === 'OUTPUT_NOT_WRITABLE');
    const ms = Date.now() - started;
    process.stdout.write(`# engine: /proc/x failed in ${ms} ms\n`);
    assert.ok(ms < 2000, `${ms} ms`);
  } finally {
    await dispose();
  }
  let started = Date.now();
  assert.equal((await runCli(['--version'])).code, 0);
  const startup = Date.now() - started;
  started = Date.now();
  const run = await runCli(['restore', input, '--out', '/proc/x', '--json', '--home', join(dir, 'home')]);
  const ms = Date.now() - started;
  process.stdout.write(`# heirloom restore --out /proc/x: exit ${run.code} after ${ms} ms (heirloom --version takes ${startup} ms here)\n`);
  assert.equal(run.code, 1);
  const error = JSON.parse(run.stdout.trim().split('\n').pop()!) as { type: string; code: string; message: string };
  assert.equal(error.type, 'error');
  assert.equal(error.code, 'OUTPUT_NOT_WRITABLE');
  assert.match(error.message, /\/proc\/x cannot be created or written/);
  assert.ok(ms - startup < 2000, `${ms} ms, start-up ${startup} ms`);
});

test('SIGTERM while the tile size is being tuned exits within 5 s, leaving no output', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const input = join(dir, 'cat.png');
  await sharp(photo('chelsea.png')).resize(96, 64).png().toFile(input);
  const out = join(dir, 'out');
  const run = startCli(['restore', input, '--out', out, '--json', '--home', join(dir, 'home')]);
  await run.waitFor((e) => e.type === 'warning' && e.code === 'TUNING');
  await new Promise((r) => setTimeout(r, 300)); // inside a measurement, not before the first
  const { code, ms } = await stopAndTime(run);
  process.stdout.write(`# SIGTERM during tuning: exit ${code} after ${ms} ms\n`);
  assert.ok(ms < 5000, `${ms} ms`);
  assert.equal(code, 1, run.stderr);
  assert.ok(!run.events.some((e) => e.type === 'file-done'));
  assert.deepEqual(leftovers(out), []);
});

test('SIGTERM while the inputs are being hashed exits within 5 s, leaving no output', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const big = join(dir, 'scan.tif');
  // A large (sparse) file: hashing it takes seconds, long enough to stop in the middle.
  writeFileSync(big, '');
  truncateSync(big, 12 * 1024 ** 3);
  const out = join(dir, 'out');
  mkdirSync(out);
  const run = startCli(['restore', big, '--out', out, '--json', '--home', join(dir, 'home'), '--tile', '32', '--batch', '1']);
  const deadline = Date.now() + 60_000;
  while (!hasOpen(run.child.pid!, big)) {
    assert.ok(Date.now() < deadline, `the input was never opened; stderr: ${run.stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(hasOpen(run.child.pid!, big), 'still hashing when stopped');
  const { code, ms } = await stopAndTime(run);
  process.stdout.write(`# SIGTERM during hashing: exit ${code} after ${ms} ms\n`);
  assert.ok(ms < 5000, `${ms} ms`);
  assert.equal(code, 1);
  assert.deepEqual(leftovers(out), []);
});

test('SIGTERM during inference exits within 5 s, leaving no partial output, and the job is recorded as cancelled', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const input = join(dir, 'cat.png');
  await sharp(photo('chelsea.png')).resize(320, 240).png().toFile(input);
  const out = join(dir, 'out');
  const home = join(dir, 'home');
  const run = startCli(['restore', input, '--out', out, '--json', '--home', home, '--tile', '32', '--batch', '1']);
  await run.waitFor((e) => e.type === 'progress' && e.stage === 'inferring' && e.tile >= 2);
  const { code, ms } = await stopAndTime(run);
  process.stdout.write(`# SIGTERM during inference: exit ${code} after ${ms} ms\n`);
  assert.ok(ms < 5000, `${ms} ms`);
  assert.equal(code, 1);
  assert.ok(!run.events.some((e) => e.type === 'file-done'));
  assert.deepEqual(leftovers(out), []);
  const history = await runCli(['history', '--json', '--home', home]);
  assert.equal((JSON.parse(history.stdout.trim().split('\n')[0]!) as { status: string }).status, 'cancelled');
});
