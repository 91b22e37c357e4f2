import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, promises as fs, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/images.js';
import { auditRun, HeirloomChild, seededRandom, sleep, tinyPhotos, type TinyPhoto } from './restore-resume-helpers.js';

const SEED = Number(process.env.HEIRLOOM_KILL_SEED ?? 5150);
const PHOTOS = 100;
const KILLS = 6;
const STABLE_MS = 700;

function outputsIn(dir: string): number {
  try {
    return readdirSync(dir).filter((n) => !n.startsWith('.')).length;
  } catch {
    return 0;
  }
}

/** Writes photos straight into the folder, in waves; each file in three chunks with pauses, so some are half-written when the watcher looks. */
async function writeSlowly(dir: string, photos: TinyPhoto[], random: () => number): Promise<void> {
  let next = 0;
  while (next < photos.length) {
    const wave = photos.slice(next, next + 5 + Math.floor(random() * 20));
    next += wave.length;
    const pauses = wave.map(() => [Math.floor(30 + random() * 120), Math.floor(30 + random() * 120)]);
    await Promise.all(
      wave.map(async (photo, i) => {
        const handle = await fs.open(join(dir, photo.name), 'w');
        try {
          const third = Math.ceil(photo.bytes.length / 3);
          await handle.write(photo.bytes.subarray(0, third));
          await sleep(pauses[i]![0]!);
          await handle.write(photo.bytes.subarray(third, 2 * third));
          await sleep(pauses[i]![1]!);
          await handle.write(photo.bytes.subarray(2 * third));
        } finally {
          await handle.close();
        }
      }),
    );
    await sleep(Math.floor(100 + random() * 1400));
  }
}

test('heirloom watch: 100 photos written slowly while the watcher is SIGKILLed at random moments; every photo restored exactly once', { timeout: 300_000 }, async (t) => {
  const started = Date.now();
  const random = seededRandom(SEED);
  const dir = tempDir('heirloom-watch-kill-');
  const inDir = join(dir, 'in');
  const outDir = join(inDir, 'restored'); // inside the watched folder: its outputs must never be taken as photos
  const home = join(dir, 'home');
  mkdirSync(inDir);
  const photos = await tinyPhotos(PHOTOS, 'scan');
  const watchArgs = ['watch', inDir, '--out', outDir, '--scale', '1', '--tile', '32', '--threads', '1', '--stable-ms', String(STABLE_MS), '--json', '--home', home];

  const runs: HeirloomChild[] = [new HeirloomChild(watchArgs)];
  const current = () => runs.at(-1)!;
  let kills = 0;
  // The photos arrive in one share per watcher run: the next share only after the next kill,
  // so a fast machine cannot restore them all before the last kill (it once did, at the 5th):
  // the last share is written only once every kill is done.
  // A failed test stops the writer too (its wait would keep the test file alive).
  const share = Math.ceil(PHOTOS / (KILLS + 1));
  const writer = (async () => {
    await current().until(() => current().events.some((e) => e.type === 'watch' && e.kind === 'watching'), 60_000);
    for (let run = 0; run <= KILLS; run++) {
      while (kills < run) {
        if (t.signal.aborted) return;
        await sleep(20);
      }
      await writeSlowly(inDir, photos.slice(run * share, (run + 1) * share), random);
      // A file that is not a photo arrives mid-way, among the watched ones.
      if (run === Math.floor(KILLS / 2)) writeFileSync(join(inDir, 'notes.txt'), 'not a photo');
    }
  })();

  let early = 0;
  while (kills < KILLS) {
    const child = current();
    if (random() < 0.25) {
      early++;
      await sleep(Math.floor(random() * 2500)); // while it starts, recovers or scans
    } else {
      const before = child.count('file-done');
      await child.until(() => child.count('file-done') > before, 90_000);
      await sleep(Math.floor(random() * 1500));
    }
    assert.equal(await child.kill('SIGKILL'), null);
    kills++;
    await sleep(Math.floor(random() * 800)); // photos keep arriving while nothing watches
    runs.push(new HeirloomChild(watchArgs));
  }
  await writer;

  const last = current();
  assert.ok(await last.until(() => outputsIn(outDir) >= PHOTOS, 180_000), `all ${PHOTOS} outputs appear (have ${outputsIn(outDir)})`);
  assert.ok(runs.some((r) => r.events.some((e) => e.type === 'watch' && e.kind === 'ignored' && String(e.file).endsWith('notes.txt'))), 'the text file is skipped and reported');

  // A renamed copy of a restored photo is not restored again.
  const copy = join(inDir, 'copy-of-scan-007.png');
  copyFileSync(join(inDir, photos[7]!.name), copy);
  assert.ok(await last.until(() => last.events.some((e) => e.type === 'watch' && e.kind === 'skipped' && e.file === copy), 60_000), 'the copy is reported as already restored');
  const lastEvent = () => last.events.length;
  for (let seen = -1; seen !== lastEvent(); ) {
    seen = lastEvent();
    await sleep(1000); // quiet: the last job has finished writing its history
  }
  assert.equal(await last.kill('SIGTERM'), 0, last.stderr);

  const audit = await auditRun({ home, root: dir, outDir, photos, scale: 1 });
  assert.equal(audit.failedRecords, 0, 'no photo was taken half-written');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const recovered = runs.flatMap((r) => r.events.filter((e) => e.type === 'watch' && e.kind === 'recovered').map((e) => String(e.message)));
  const resumedJobs = recovered.filter((m) => m.startsWith('Continuing job')).length;
  const adopted = recovered.reduce((sum, m) => sum + Number(/(\d+) outputs? finished just before/.exec(m)?.[1] ?? 0), 0);
  const tempsRemoved = recovered.reduce((sum, m) => sum + Number(/(\d+) leftover temporary/.exec(m)?.[1] ?? 0), 0);
  t.diagnostic(`watch: ${PHOTOS} photos, ${kills} SIGKILLs (${early} while starting), ${runs.length} watcher runs, ${resumedJobs} interrupted jobs continued (${adopted} outputs adopted from the rename-to-record window, ${tempsRemoved} temporary files cleaned), ${audit.jobs.length} jobs, duplicates ${audit.duplicates}, lost ${audit.lost}, ${seconds} s (seed ${SEED})`);
});
