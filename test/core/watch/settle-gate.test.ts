import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, writeFileSync, utimesSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SettleGate } from '../../../src/core/watch/settle-gate.js';
import { tempDir } from '../../helpers/images.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a file written in chunks is reported once, complete, after it stopped changing', async () => {
  const dir = tempDir();
  const path = join(dir, 'slow.png');
  const gate = new SettleGate({ stableMs: 1000, pollMs: 20 });
  const reports: number[] = [];
  const handle = await fs.open(path, 'w');
  await handle.write(Buffer.alloc(1000, 1));
  gate.watch(path, (stats) => reports.push(stats.size));
  for (let i = 0; i < 4; i++) {
    await sleep(50);
    await handle.write(Buffer.alloc(1000, 2));
  }
  await handle.close();
  assert.deepEqual(reports, [], 'nothing while it is being written');
  for (let waited = 0; reports.length === 0 && waited < 10_000; waited += 50) await sleep(50);
  await sleep(100);
  assert.deepEqual(reports, [5000], 'once, at its full size');
  gate.dispose();
});

test('a file untouched for longer than the threshold is ready at once; a vanished one is reported gone', async () => {
  const dir = tempDir();
  const old = join(dir, 'old.png');
  writeFileSync(old, 'x');
  utimesSync(old, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  const gate = new SettleGate({ stableMs: 5000, pollMs: 20 });
  const ready = await new Promise<boolean>((resolve) => gate.watch(old, () => resolve(true), () => resolve(false)));
  assert.equal(ready, true);

  const brief = join(dir, 'brief.png');
  writeFileSync(brief, 'x');
  const outcome = new Promise<string>((resolve) => gate.watch(brief, () => resolve('ready'), () => resolve('gone')));
  rmSync(brief);
  assert.equal(await outcome, 'gone');
  gate.dispose();
});
