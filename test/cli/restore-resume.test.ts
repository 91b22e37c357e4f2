import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/images.js';
import { openDatabase } from '../../src/core/store/database.js';
import { JobStore } from '../../src/core/store/job-store.js';
import { auditRun, HeirloomChild, seededRandom, sleep, tinyPhotos } from './restore-resume-helpers.js';

function outputsIn(dir: string): number {
  try {
    return readdirSync(dir).filter((n) => !n.startsWith('.')).length;
  } catch {
    return 0;
  }
}

/**
 * Jobs that restored at least one photo. A run that starts after the job already finished
 * (the last kill can land after the final photo) rightly records a new job whose photos are
 * all skipped; what must never happen is a second job restoring photos.
 */
function restoringJobIds(home: string): string[] {
  const db = openDatabase(join(home, 'heirloom.db'));
  try {
    return new JobStore(db)
      .listJobs({ limit: 1000 })
      .filter((j) => j.files.some((f) => f.status === 'done'))
      .map((j) => j.id);
  } finally {
    db.close();
  }
}

const SEED = Number(process.env.HEIRLOOM_KILL_SEED ?? 20261122);
const KILLS = 6;

test('heirloom restore killed with SIGKILL mid-run, re-run or resumed: exactly one output per photo, no temp files, history consistent', { timeout: 300_000 }, async (t) => {
  const started = Date.now();
  const random = seededRandom(SEED);
  const dir = tempDir('heirloom-restore-kill-');
  const inDir = join(dir, 'in');
  const outDir = join(dir, 'out');
  const home = join(dir, 'home');
  mkdirSync(inDir);
  // Enough photos, and kills early enough, that a job outlives five kills now that each photo computes only its own pixels (balanced tiles).
  const photos = await tinyPhotos(60);
  for (const p of photos) writeFileSync(join(inDir, p.name), p.bytes);
  const restoreArgs = ['restore', inDir, '--out', outDir, '--scale', '1', '--tile', '32', '--threads', '1', '--json', '--home', home];

  let kills = 0;
  let jobId: string | undefined;
  let resumed = 0;
  let rerun = 0;
  let recoveries = 0;
  let adopted = 0;
  let tempsRemoved = 0;
  const countRecoveries = (child: HeirloomChild) => {
    for (const e of child.events.filter((x) => x.type === 'warning' && x.code === 'RECOVERED')) {
      recoveries++;
      adopted += Number(/(\d+) outputs? finished just before/.exec(String(e.message))?.[1] ?? 0);
      tempsRemoved += Number(/(\d+) leftover temporary/.exec(String(e.message))?.[1] ?? 0);
    }
  };
  for (let round = 0; ; round++) {
    // Alternate: re-run the same command, or continue the interrupted job by its id.
    const useResume = jobId !== undefined && round % 2 === 1;
    const child = new HeirloomChild(useResume ? ['resume', jobId!, '--json', '--home', home] : restoreArgs);
    if (useResume) resumed++;
    else if (round > 0) rerun++;
    const remaining = photos.length - outputsIn(outDir);
    if (kills < KILLS && remaining > 0) {
      // A random moment: while it starts (before the job exists), or after 0..2 more photos plus
      // a part of one. Counted in photos, not time, so that a fast machine does not finish the
      // job before the last kill (0..400 ms once let a quiet run do all 60 photos in 4 kills).
      const early = random() < 0.25;
      const wantDone = Math.floor(random() * 3);
      if (early) await sleep(Math.floor(random() * 800));
      else {
        await child.until(() => child.count('job-started') > 0 && child.count('file-done') >= wantDone, 60_000);
        await sleep(Math.floor(random() * 60));
      }
      const startedEvent = child.events.find((e) => e.type === 'job-started');
      if (startedEvent) jobId = startedEvent.jobId as string;
      if ((await child.kill('SIGKILL')) === null) kills++;
      countRecoveries(child);
      continue;
    }
    assert.equal(await child.exited, 0, child.stderr);
    countRecoveries(child);
    break;
  }
  assert.equal(new Set(restoringJobIds(home)).size, 1, 'every re-run and resume continued the one job');

  // A final plain re-run restores nothing again: everything is skipped with its existing output.
  const again = new HeirloomChild(restoreArgs);
  assert.equal(await again.exited, 0, again.stderr);
  assert.equal(again.count('file-done'), 0, 'nothing is restored twice');
  assert.equal(again.events.filter((e) => e.type === 'file-skipped' && typeof e.output === 'string').length, photos.length);

  const audit = await auditRun({ home, root: dir, outDir, photos, scale: 1 });
  assert.equal(audit.failedRecords, 0);
  assert.ok(kills >= 5, `killed ${kills} times`);
  assert.ok(recoveries >= 1, 'a run after a kill says what it recovered');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  t.diagnostic(`restore: ${photos.length} photos, ${kills} SIGKILLs (${resumed} resumes by job id, ${rerun} re-runs, ${recoveries} recovery warnings: ${adopted} outputs adopted from the rename-to-record window, ${tempsRemoved} temporary files cleaned), duplicates ${audit.duplicates}, lost ${audit.lost}, a final re-run skipped all ${photos.length} with their outputs; jobs: ${audit.jobs.map((j) => `${j.id} ${j.status} ${j.succeeded}/${j.skipped}`).join(', ')}; ${seconds} s (seed ${SEED})`);
});
