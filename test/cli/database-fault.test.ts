import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { photo, runCli } from '../helpers/engine.js';
import { tempDir } from '../helpers/images.js';
import { seededRandom } from '../helpers/seeded-random.js';
import type { FileDoneEvent, JobStartedEvent, WarningEvent } from '../../src/shared/events.js';

const SEEDS = 20;
const FAST = ['--tile', '32', '--batch', '1', '--json'];

/**
 * Issue #15's fault test: the history database truncated or overwritten at seeded random
 * offsets. Every time, `heirloom restore` still restores the photo, `heirloom history`
 * works (from the backup where one existed), and the damaged file is kept.
 */
test('a history database truncated or overwritten at 20 seeded random offsets never stops a restore, and is kept', { timeout: 600_000 }, async () => {
  const dir = tempDir();
  const input = join(dir, 'cat.png');
  await sharp(photo('chelsea.png')).resize(24, 16).png().toFile(input);
  const pristine = join(dir, 'pristine');
  const first = await runCli(['restore', input, '--out', join(dir, 'out-first'), '--home', pristine, ...FAST]);
  assert.equal(first.code, 0, first.stderr);
  const firstJob = (first.events.find((e) => e.type === 'job-started') as JobStartedEvent).jobId;
  assert.equal(readdirSync(join(pristine, 'backups')).length, 1, 'the finished job was backed up');
  const size = readFileSync(join(pristine, 'heirloom.db')).length;

  let recovered = 0;
  let fromBackup = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const random = seededRandom(seed);
    const home = join(dir, `home-${seed}`);
    cpSync(pristine, home, { recursive: true });
    const withBackup = seed % 4 !== 0;
    if (!withBackup) rmSync(join(home, 'backups'), { recursive: true });
    const db = join(home, 'heirloom.db');
    const offset = Math.floor(random() * size);
    const truncate = random() < 0.5;
    if (truncate) truncateSync(db, offset);
    else {
      const bytes = readFileSync(db);
      const junk = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256)));
      junk.copy(bytes, offset, 0, Math.min(junk.length, bytes.length - offset));
      writeFileSync(db, bytes);
    }
    const damaged = readFileSync(db);
    const what = `seed ${seed}: ${truncate ? 'truncated' : 'overwritten'} at ${offset} of ${size}, ${withBackup ? 'with' : 'without'} a backup`;

    const out = join(dir, `out-${seed}`);
    const run = await runCli(['restore', input, '--out', out, '--home', home, ...FAST]);
    assert.equal(run.code, 0, `${what}: ${run.stderr}`);
    const done = run.events.filter((e): e is FileDoneEvent => e.type === 'file-done');
    assert.equal(done.length, 1, what);
    assert.ok(existsSync(done[0]!.output), what);
    const notice = run.events.find((e): e is WarningEvent => e.type === 'warning' && e.code === 'STORE_RECOVERED');

    const history = await runCli(['history', '--json', '--home', home]);
    assert.equal(history.code, 0, `${what}: ${history.stderr}`);
    const ids = history.stdout.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);
    const newJob = (run.events.find((e) => e.type === 'job-started') as JobStartedEvent).jobId;
    assert.ok(ids.includes(newJob), `${what}: the new job is in the history`);

    if (notice) {
      recovered++;
      const kept = readdirSync(home).filter((n) => /^heirloom-damaged-.*\.db$/.test(n));
      assert.equal(kept.length, 1, what);
      assert.ok(notice.message.includes(join(home, kept[0]!)), `${what}: the warning names where the damaged file is`);
      assert.deepEqual(readFileSync(join(home, kept[0]!)), damaged, `${what}: the damaged file is kept byte for byte`);
      if (withBackup) {
        fromBackup++;
        assert.ok(ids.includes(firstJob), `${what}: the history came back from the backup`);
        assert.match(notice.message, /restored from the automatic backup/, what);
      } else {
        assert.match(notice.message, /no backup, so it was moved to .* and a new, empty history was started/, what);
      }
    } else {
      // Damage SQLite's checks did not see (bytes in free space or inside a value): the file stays where it was, and its history is read.
      assert.ok(ids.includes(firstJob), `${what}: undetected damage, yet the earlier job is still listed`);
      assert.deepEqual(readdirSync(home).filter((n) => n.includes('damaged')), [], what);
    }
  }
  process.stdout.write(`# ${recovered} of ${SEEDS} damaged databases were detected and replaced (${fromBackup} from a backup)\n`);
  assert.ok(recovered >= SEEDS / 2, `most of these faults are detectable damage (${recovered} of ${SEEDS})`);
});
