import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/engine.js';
import { tempDir } from '../helpers/images.js';
import { HeirloomChild, tinyPhotos } from './restore-resume-helpers.js';

test('heirloom resume continues a job cancelled with Ctrl+C (same job, nothing redone); an unknown job is NOT_FOUND', async () => {
  const dir = tempDir('heirloom-resume-cli-');
  const inDir = join(dir, 'in');
  const out = join(dir, 'out');
  const home = join(dir, 'home');
  mkdirSync(inDir);
  const photos = await tinyPhotos(6, 'cancel');
  for (const p of photos) writeFileSync(join(inDir, p.name), p.bytes);

  const first = new HeirloomChild(['restore', inDir, '--out', out, '--scale', '1', '--tile', '32', '--threads', '1', '--batch', '1', '--json', '--home', home]);
  assert.ok(await first.until(() => first.count('file-done') >= 1, 120_000), first.stderr);
  assert.equal(await first.kill('SIGINT'), 1, 'cancelled: exit code 1');
  const started = first.events.find((e) => e.type === 'job-started')!;
  const restoredFirst = first.events.filter((e) => e.type === 'file-done').map((e) => e.file as string);

  const resumed = await runCli(['resume', started.jobId as string, '--json', '--home', home]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(resumed.events[0]!.type === 'job-started' && resumed.events[0]!.jobId, started.jobId);
  const restoredNow = resumed.events.filter((e) => e.type === 'file-done').map((e) => (e.type === 'file-done' ? e.file : ''));
  assert.deepEqual([...restoredFirst, ...restoredNow].sort(), photos.map((p) => join(inDir, p.name)).sort(), 'each photo restored once, across both runs');
  assert.deepEqual(readdirSync(out).sort(), photos.map((p) => p.name).sort());

  const unknown = await runCli(['resume', 'job-nope', '--json', '--home', home]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stdout, /"code":"NOT_FOUND"/);
});
