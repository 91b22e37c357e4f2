import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { DurableJob, type DurableJobOptions, type ListingProgress, type RunnableFile, type SkippedFile } from '../../../src/core/restore/durable-job.js';
import { MAX_INTERRUPTED_ATTEMPTS, recoverInterruptedJobs } from '../../../src/core/restore/job-recovery.js';
import { ProcessOwner } from '../../../src/core/store/process-owner.js';
import { openDatabase } from '../../../src/core/store/database.js';
import { JobStore } from '../../../src/core/store/job-store.js';
import { photo } from '../../helpers/engine.js';
import { tempDir } from '../../helpers/images.js';

/** An owner whose process has exited: what a SIGKILLed run leaves in the store. */
async function deadOwner(): Promise<ProcessOwner> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.on('exit', r));
  return new ProcessOwner(undefined, undefined, child.pid!, 'tgone');
}

async function tinyPng(path: string, left: number): Promise<string> {
  await sharp(photo('coins.png')).extract({ left, top: 10, width: 24, height: 24 }).png().toFile(path);
  return path;
}

/** Opens a job and takes every photo it reaches (each recorded in the store as it is taken), as a run does. */
async function openReached(options: DurableJobOptions): Promise<DurableJob & { toRun: RunnableFile[]; skipped: SkippedFile[] }> {
  const job = await DurableJob.open(options);
  const toRun: RunnableFile[] = [];
  const skipped: SkippedFile[] = [];
  for (let reached = await job.next(); reached; reached = await job.next()) {
    if (reached.kind === 'skip') skipped.push(reached);
    else toRun.push(reached);
  }
  return Object.assign(job, { toRun, skipped });
}

function setup() {
  const dir = tempDir('heirloom-durable-');
  const db = openDatabase(join(dir, 'heirloom.db'));
  const jobs = new JobStore(db);
  const out = join(dir, 'out');
  mkdirSync(out);
  mkdirSync(join(dir, 'in'));
  const options = (owner: ProcessOwner, paths: string[], extra: Partial<DurableJobOptions> = {}): DurableJobOptions => ({
    jobs,
    owner,
    inputs: paths,
    fingerprint: 'fp-test',
    settings: { outDir: out, inputs: paths },
    modelId: 'm',
    deviceId: 'cpu',
    overwrite: false,
    ...extra,
  });
  /** A finished output in a temporary file, as finishPhoto leaves it before the commit. */
  const encoded = async (name: string, left: number) => tinyPng(join(out, `.${name}.0badcafe.heirloom-tmp`), left);
  return { dir, db, jobs, out, options, encoded };
}

test('a kill between moving the output into place and recording "done": the next start adopts the output, nothing is restored twice', async () => {
  const { dir, db, jobs, out, options, encoded } = setup();
  const live = new ProcessOwner();
  const a = await tinyPng(join(dir, 'in', 'a.png'), 0);
  const killed = await openReached(options(await deadOwner(), [a]));
  jobs.markFileRunning(killed.id, 0);
  assert.equal(await killed.commit(await encoded('a.png', 100), join(out, 'a.png'), a), join(out, 'a.png'));
  writeFileSync(join(out, '.b.png.12345678.heirloom-tmp'), 'half an output'); // another photo was being encoded

  const report = await recoverInterruptedJobs(jobs, live);
  assert.deepEqual(report.adopted, [{ jobId: killed.id, file: a, output: join(out, 'a.png') }]);
  assert.deepEqual(report.interrupted, [killed.id]);
  assert.deepEqual(report.tempsRemoved, [join(out, '.b.png.12345678.heirloom-tmp')]);
  const record = jobs.getJob(killed.id)!;
  assert.equal(record.status, 'interrupted');
  assert.deepEqual([record.files[0]!.status, record.files[0]!.width, record.files[0]!.height], ['done', 24, 24]);

  // The same command again continues that job, with nothing left to do.
  const again = await openReached(options(live, [a]));
  assert.equal(again.id, killed.id);
  assert.deepEqual([again.toRun, again.skipped], [[], []]);
  // Another job with that photo skips it, naming the existing output.
  const b = await tinyPng(join(dir, 'in', 'b.png'), 40);
  const other = await openReached(options(live, [a, b]));
  assert.notEqual(other.id, killed.id);
  assert.deepEqual(other.skipped.map((s) => [s.file, s.output]), [[a, join(out, 'a.png')]]);
  assert.deepEqual(other.toRun.map((f) => f.path), [b]);
  assert.deepEqual(readdirSync(out), ['a.png']);
  db.close();
});

test('a kill after the name was recorded but before the move: the photo is restored again into that same name', async () => {
  const { dir, db, jobs, out, options, encoded } = setup();
  const a = await tinyPng(join(dir, 'in', 'a.png'), 0);
  const killed = await openReached(options(await deadOwner(), [a]));
  jobs.markFileRunning(killed.id, 0);
  jobs.markFileCommitting(killed.id, 0, { outputPath: join(out, 'a.png'), outputSha256: 'f'.repeat(64), outputBytes: 10 });

  const live = new ProcessOwner();
  const report = await recoverInterruptedJobs(jobs, live);
  assert.deepEqual([report.adopted.length, report.requeued], [0, 1]);
  assert.equal(jobs.getJob(killed.id)!.files[0]!.status, 'queued');
  const resumed = await openReached(options(live, [], { resumeJobId: killed.id }));
  assert.deepEqual(resumed.toRun.map((f) => f.path), [a]);
  assert.equal(await resumed.commit(await encoded('a.png', 100), join(out, 'a.png'), a), join(out, 'a.png'));
  assert.deepEqual(readdirSync(out), ['a.png']);
  db.close();
});

test('output names: a stranger\'s file is never replaced, two photos of one name keep their reserved names across a crash, the original is never overwritten', async () => {
  const { dir, db, jobs, out, options, encoded } = setup();
  mkdirSync(join(dir, 'x'));
  mkdirSync(join(dir, 'y'));
  const x = await tinyPng(join(dir, 'x', 'b.png'), 0);
  const y = await tinyPng(join(dir, 'y', 'b.png'), 50);
  writeFileSync(join(out, 'c.png'), 'the user\'s own file');

  // x reserved "b.png", then the process died before moving its output there.
  const killed = await openReached(options(await deadOwner(), [x, y]));
  jobs.markFileCommitting(killed.id, 0, { outputPath: join(out, 'b.png'), outputSha256: 'e'.repeat(64), outputBytes: 10 });
  jobs.markFileRunning(killed.id, 0);
  const live = new ProcessOwner();
  await recoverInterruptedJobs(jobs, live);
  const resumed = await openReached(options(live, [], { resumeJobId: killed.id }));
  assert.equal(await resumed.commit(await encoded('b.png', 100), join(out, 'b.png'), y), join(out, 'b (1).png'), 'y does not take the name x reserved');
  assert.equal(await resumed.commit(await encoded('b.png', 110), join(out, 'b.png'), x), join(out, 'b.png'));

  const c = await tinyPng(join(dir, 'in', 'c.png'), 80);
  const job = await openReached(options(live, [c]));
  assert.equal(await job.commit(await encoded('c.png', 120), join(out, 'c.png'), c), join(out, 'c (1).png'));
  assert.equal(readFileSync(join(out, 'c.png'), 'utf8'), 'the user\'s own file');

  // --overwrite replaces a stranger's file, but never the photo being restored.
  const inPlace = await tinyPng(join(dir, 'in', 'd.png'), 90);
  const overwriting = await openReached(options(live, [inPlace], { overwrite: true, fingerprint: 'fp-overwrite' }));
  const temp = await tinyPng(join(dir, 'in', '.d.png.0badcafe.heirloom-tmp'), 130);
  assert.equal(await overwriting.commit(temp, inPlace, inPlace), join(dir, 'in', 'd (1).png'));
  db.close();
});

test('a redo writes next to the earlier output; identical bytes nobody recorded (a record lost to a power cut) are taken over, not duplicated', async () => {
  const { dir, db, jobs, out, options, encoded } = setup();
  const live = new ProcessOwner();
  const a = await tinyPng(join(dir, 'in', 'a.png'), 0);
  const first = await openReached(options(live, [a]));
  const output = await first.commit(await encoded('a.png', 100), join(out, 'a.png'), a);
  jobs.markFileDone(first.id, 0, { outputPath: output, width: 24, height: 24, ms: 1 });
  jobs.finishJob(first.id, { status: 'finished', ms: 1 });
  const redo = await openReached(options(live, [a], { redo: true }));
  assert.deepEqual(redo.toRun.map((f) => f.path), [a]);
  assert.equal(await redo.commit(await encoded('a.png', 100), join(out, 'a.png'), a), join(out, 'a (1).png'));

  const e = await tinyPng(join(dir, 'in', 'e.png'), 60);
  await tinyPng(join(out, 'e.png'), 140); // committed just before a power cut took the record with it
  const job = await openReached(options(live, [e]));
  assert.equal(await job.commit(await encoded('e.png', 140), join(out, 'e.png'), e), join(out, 'e.png'));
  assert.ok(!readdirSync(out).includes('e (1).png'));
  db.close();
});

test('a photo that was running at every one of several deaths is set aside instead of crashing the next start too', async () => {
  const { dir, db, jobs, options } = setup();
  const a = await tinyPng(join(dir, 'in', 'a.png'), 0);
  const dead = await deadOwner();
  const job = await openReached(options(dead, [a]));
  for (let i = 0; i < MAX_INTERRUPTED_ATTEMPTS; i++) jobs.markFileRunning(job.id, 0);
  const report = await recoverInterruptedJobs(jobs, new ProcessOwner());
  assert.deepEqual(report.setAside, [{ jobId: job.id, file: a }]);
  const file = jobs.getJob(job.id)!.files[0]!;
  assert.equal(file.status, 'failed');
  assert.match(file.errorMessage!, /set aside/);
  db.close();
});

test('resume retries what may pass (and cancelled photos), not a photo whose content failed, unless the file changed', async () => {
  const { dir, db, jobs, options } = setup();
  const live = new ProcessOwner();
  const [a, b, c, d] = await Promise.all(['a', 'b', 'c', 'd'].map((n, i) => tinyPng(join(dir, 'in', `${n}.png`), i * 30)));
  const job = await openReached(options(live, [a!, b!, c!, d!]));
  jobs.markFileFailed(job.id, 0, { code: 'OUT_OF_MEMORY', message: 'oom' });
  jobs.markFileFailed(job.id, 1, { code: 'DECODE_FAILED', message: 'bad' });
  jobs.markFileDone(job.id, 2, { outputPath: join(dir, 'out', 'c.png'), width: 1, height: 1, ms: 1 });
  jobs.markFileCancelled(job.id, 3);
  jobs.finishJob(job.id, { status: 'cancelled', ms: 1 });
  await assert.rejects(openReached(options(live, [], { resumeJobId: 'job-nope' })), /no job job-nope/);

  const first = await openReached(options(live, [], { resumeJobId: job.id }));
  assert.deepEqual(first.toRun.map((f) => f.path), [a, d]);
  assert.deepEqual(first.progress, { files: 2, done: true }, 'the photo that failed for good is not in the total');
  jobs.finishJob(job.id, { status: 'interrupted', ms: 1 });
  await tinyPng(b!, 200); // the broken photo was replaced
  const second = await openReached(options(live, [], { resumeJobId: job.id }));
  assert.deepEqual(second.toRun.map((f) => f.path), [a, b, d]);
  db.close();
});

test('a resumed job whose photos all failed for good reports its total corrected to 0, once, marked as a correction', async () => {
  const { dir, db, jobs, options } = setup();
  const live = new ProcessOwner();
  const [a, b] = await Promise.all(['a', 'b'].map((n, i) => tinyPng(join(dir, 'in', `${n}.png`), i * 30)));
  const job = await openReached(options(live, [a!, b!]));
  jobs.markFileFailed(job.id, 0, { code: 'DECODE_FAILED', message: 'bad' });
  jobs.markFileFailed(job.id, 1, { code: 'DECODE_FAILED', message: 'bad' });
  jobs.finishJob(job.id, { status: 'interrupted', ms: 1 });

  const resumed = await DurableJob.open(options(live, [], { resumeJobId: job.id }));
  const reports: ListingProgress[] = [];
  resumed.start((p) => reports.push(p));
  assert.equal(await resumed.next(), undefined, 'nothing to try again');
  await resumed.close();
  const finals = reports.filter((r) => r.done);
  // The listing's own total counts both; once their hashes show the files unchanged, the total is corrected.
  assert.deepEqual(finals, [{ files: 2, done: true }, { files: 0, done: true, corrected: true }]);
  db.close();
});

test('ProcessOwner tells this process and live ones from dead ones and from a reused pid', async () => {
  const me = new ProcessOwner();
  assert.equal(me.isAlive(me.token), true);
  assert.equal(me.isAlive(new ProcessOwner().token), true, 'every owner in one process has the same token');
  assert.equal(me.isAlive((await deadOwner()).token), false);
  assert.equal(me.isAlive(new ProcessOwner(undefined, undefined, process.pid, 'tearlier-life').token), false, 'our pid, another start: a previous process');
  assert.equal(me.isAlive(new ProcessOwner('another-host').token), true, 'another machine cannot be checked: assumed alive');
  assert.equal(me.isAlive(null), false);
});

test('two processes recovering at the same moment recover a dead job once', async () => {
  const { dir, jobs, options } = setup();
  const a = await tinyPng(join(dir, 'in', 'a.png'), 0);
  const killed = await openReached(options(await deadOwner(), [a]));
  jobs.markFileRunning(killed.id, 0);
  // A commit was recorded but its output never appeared: checking it takes a file-system call, where the two interleave.
  jobs.markFileCommitting(killed.id, 0, { outputPath: join(dir, 'out', 'a.png'), outputSha256: 'f'.repeat(64), outputBytes: 10 });
  // A second process: its own connection to the same database.
  const other = openDatabase(join(dir, 'heirloom.db'));
  const [first, second] = await Promise.all([recoverInterruptedJobs(jobs, new ProcessOwner()), recoverInterruptedJobs(new JobStore(other), new ProcessOwner())]);
  other.close();
  assert.deepEqual([...first.interrupted, ...second.interrupted], [killed.id], 'recovered by exactly one of them');
  assert.equal(first.requeued + second.requeued, 1);
  assert.equal(jobs.getJob(killed.id)?.status, 'interrupted');
  assert.equal(jobs.getJob(killed.id)?.files[0]?.attempts, 1);
});
