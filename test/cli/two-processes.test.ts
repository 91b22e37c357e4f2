import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { photo, runCli } from '../helpers/engine.js';
import { tempDir } from '../helpers/images.js';
import type { ProgressEvent, WarningEvent } from '../../src/shared/events.js';

test('two processes on one data folder tune once: one measures, the other waits and reuses its tile size', { timeout: 300_000 }, async () => {
  const dir = tempDir();
  const home = join(dir, 'home');
  const inputs = await Promise.all(
    ['a', 'b'].map(async (name, i) => {
      const path = join(dir, `${name}.png`);
      await sharp(photo('chelsea.png')).extract({ left: 40 * i, top: 20, width: 48, height: 32 }).png().toFile(path);
      return path;
    }),
  );
  // The database exists first (as it does once Heirloom has run), so both start on equal terms.
  assert.equal((await runCli(['history', '--home', home])).code, 0);
  const started = Date.now();
  const runs = await Promise.all(inputs.map((input, i) => runCli(['restore', input, '--out', join(dir, `out-${i}`), '--json', '--home', home]).then((r) => ({ ...r, ms: Date.now() - started }))));
  for (const run of runs) assert.equal(run.code, 0, run.stderr);
  const warnings = (run: (typeof runs)[number]) => run.events.filter((e): e is WarningEvent => e.type === 'warning').map((e) => e.code);
  const measured = runs.filter((r) => warnings(r).includes('TUNING'));
  const waited = runs.filter((r) => warnings(r).includes('TUNING_WAIT'));
  process.stdout.write(`# two processes: ${measured.length} measured, ${waited.length} waited; finished after ${runs.map((r) => r.ms).join(' and ')} ms\n`);
  assert.equal(measured.length, 1, 'the tile size was measured once, not twice');
  const tiles = runs.map((r) => new Set(r.events.filter((e): e is ProgressEvent => e.type === 'progress' && e.stage === 'inferring').map((e) => e.tileSize)));
  assert.deepEqual([...tiles[0]!], [...tiles[1]!], 'both used the same tile size');
});
