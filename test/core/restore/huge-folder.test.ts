/**
 * Issue #18, item 7: a job over a huge folder starts on its first photo while the rest are
 * still being listed and hashed, and a kill in the middle of the listing loses nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { testEngine } from '../../helpers/engine.js';
import { tempDir } from '../../helpers/images.js';
import { openDatabase } from '../../../src/core/store/database.js';
import { JobStore } from '../../../src/core/store/job-store.js';
import { HASH_AHEAD } from '../../../src/core/restore/durable-job.js';
import type { RestoreEvent } from '../../../src/shared/events.js';
import { auditRun, HeirloomChild, tinyPhotos, type TinyPhoto } from '../../cli/restore-resume-helpers.js';

/** `count` distinct 6x6 PNGs (the index is in the pixels), `perFolder` to a sub-folder. */
async function distinctPhotos(root: string, count: number, perFolder: number): Promise<void> {
  for (let start = 0; start < count; start += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - start) }, async (_, k) => {
        const i = start + k;
        const pixels = Buffer.alloc(6 * 6 * 3, i % 251);
        pixels.writeUInt32BE(i, 0);
        const dir = join(root, `box-${String(Math.floor(i / perFolder)).padStart(3, '0')}`);
        mkdirSync(dir, { recursive: true });
        await sharp(pixels, { raw: { width: 6, height: 6, channels: 3 } }).png().toFile(join(dir, `p${String(i).padStart(5, '0')}.png`));
      }),
    );
  }
}

test('3,000 photos: the first photo starts while almost none are hashed and recorded; the total arrives with job-listing; a stop leaves the rest for resume', { timeout: 240_000 }, async () => {
  const dir = tempDir('heirloom-huge-');
  const input = join(dir, 'in');
  await distinctPhotos(input, 3000, 100);
  const { engine, jobs, dispose } = testEngine(join(dir, 'home'));
  const events: RestoreEvent[] = [];
  const abort = new AbortController();
  let atFirstStart: { rows: number; listed: boolean | undefined } | undefined;
  try {
    const summary = await engine.run({ inputs: [input], outDir: join(dir, 'out'), modelId: 'none' }, (event) => {
      events.push(event);
      if (event.type === 'progress' && !atFirstStart) {
        const job = jobs.getJob(event.jobId)!;
        atFirstStart = { rows: job.files.length, listed: job.listed };
      }
      if (events.filter((e) => e.type === 'file-done').length === 10) abort.abort();
    }, { signal: abort.signal });

    const types = events.map((e) => e.type);
    const started = events[0];
    assert.equal(started?.type, 'job-started');
    assert.equal(started?.type === 'job-started' && started.listing, true, 'job-started says the total is not known yet');
    assert.ok(atFirstStart, 'a photo started');
    // The photos are hashed and recorded just ahead of the restore, never all before it.
    assert.ok(atFirstStart.rows <= HASH_AHEAD + 2, `at the first photo's start ${atFirstStart.rows} of 3000 photos were recorded`);
    assert.equal(atFirstStart.listed, false, 'the job was not fully listed when its first photo started');
    const firstProgress = types.indexOf('progress');
    const lastListing = events.findLastIndex((e) => e.type === 'job-listing');
    const total = events[lastListing];
    assert.deepEqual(total?.type === 'job-listing' && [total.files, total.done], [3000, true], 'the total, once the listing ended');
    assert.ok(firstProgress < types.indexOf('job-finished'));
    // "so far" counts only grow, and stay below the total until it is known.
    const counts = events.filter((e): e is Extract<RestoreEvent, { type: 'job-listing' }> => e.type === 'job-listing').map((e) => e.files);
    assert.deepEqual(counts, [...counts].sort((a, b) => a - b));

    assert.equal(summary.cancelled, true);
    assert.ok(summary.succeeded >= 10 && summary.succeeded < 3000);
    const job = jobs.getJob(summary.jobId)!;
    assert.equal(job.status, 'cancelled');
    assert.equal(job.listed, false, 'stopped before every photo was recorded: resume lists the folder again');
    assert.ok(job.files.length < 3000, `${job.files.length} photos recorded when it stopped`);
    assert.equal(job.files.filter((f) => f.status === 'done').length, summary.succeeded);
  } finally {
    await dispose();
  }
});

test('killed (SIGKILL) while its folder is still being listed and hashed: resume lists it again, skips what is done, and every photo ends with exactly one output', { timeout: 300_000 }, async () => {
  const root = tempDir('heirloom-huge-kill-');
  const home = join(root, 'home');
  const input = join(root, 'in');
  const out = join(root, 'out');
  mkdirSync(input);
  const photos: TinyPhoto[] = await tinyPhotos(400, 'scan');
  for (const p of photos) writeFileSync(join(input, p.name), p.bytes);

  const first = new HeirloomChild(['restore', input, '--out', out, '--model', 'none', '--json', '--home', home]);
  assert.ok(await first.until(() => first.count('file-done') >= 3, 120_000), `no photo restored: ${first.stderr}`);
  await first.kill('SIGKILL');
  const jobId = String(first.events.find((e) => e.type === 'job-started')!.jobId);

  const db = openDatabase(join(home, 'heirloom.db'));
  const killed = new JobStore(db).getJob(jobId)!;
  db.close();
  assert.equal(killed.listed, false, 'the kill came while photos were still being hashed and recorded');
  assert.ok(killed.files.length < photos.length, `${killed.files.length} of ${photos.length} recorded at the kill`);
  const doneBefore = killed.files.filter((f) => f.status === 'done').length;

  const resumed = new HeirloomChild(['resume', jobId, '--json', '--home', home]);
  assert.equal(await resumed.exited, 0, resumed.stderr);
  const finished = resumed.events.find((e) => e.type === 'job-finished')!;
  assert.equal(finished.jobId, jobId, 'the same job continues');
  const listing = resumed.events.filter((e) => e.type === 'job-listing').at(-1)!;
  assert.equal(listing.done, true);
  // Done photos are not reported again; the ones cut off by the kill (adopted, or restored again) and those never reached are.
  assert.ok(Number(listing.files) <= photos.length - doneBefore + 1 && Number(listing.files) >= photos.length - doneBefore - 1, `resume reports ${String(listing.files)} photos`);
  assert.equal(Number(finished.succeeded) + Number(finished.skipped), Number(listing.files));

  const audit = await auditRun({ home, root, outDir: out, photos, scale: 1 });
  assert.deepEqual([audit.duplicates, audit.lost, audit.failedRecords], [0, 0, 0]);
  const job = audit.jobs.find((j) => j.id === jobId)!;
  assert.equal(job.listed, true);
  assert.equal(job.files.length, photos.length, 'every photo recorded once, in one job');
});
