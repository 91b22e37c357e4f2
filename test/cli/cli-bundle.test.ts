import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, utimesSync } from 'node:fs';
import { join, resolve } from 'node:path';
// @ts-expect-error: a plain .mjs module of the bin folder (no types)
import { cliBundle } from '../../bin/cli-bundle.mjs';

const bundleOf = cliBundle as () => Promise<string | undefined>;

test('the command runs from a bundle kept until a source file changes, and without one through tsx', async () => {
  const first = await bundleOf();
  assert.ok(first && existsSync(join(first, 'main.mjs')) && existsSync(join(first, 'session-worker.mjs')), `bundle at ${first}`);
  assert.equal(await bundleOf(), first, 'the same source tree reuses its bundle');

  // A source file that changes (its time here) makes a new bundle.
  const source = resolve('src/core/app-version.ts');
  const { atime } = statSync(source);
  const ms = Number(statSync(source, { bigint: true }).mtimeNs / 1_000_000n);
  // Seconds in the middle of the millisecond: a Date (whole ms / 1000) lands a nanosecond
  // short of about half of all milliseconds, which the key (truncated ms) would see as a change.
  const atMs = (time: number) => (time + 0.5) / 1000;
  try {
    utimesSync(source, atime, atMs(ms + 1000));
    const second = await bundleOf();
    assert.ok(second && second !== first && existsSync(join(second, 'main.mjs')));
  } finally {
    utimesSync(source, atime, atMs(ms));
  }
  assert.equal(await bundleOf(), first);

  const bundled = spawnSync(process.execPath, ['bin/heirloom.mjs', '--version'], { encoding: 'utf8' });
  const viaTsx = spawnSync(process.execPath, ['bin/heirloom.mjs', '--version'], { encoding: 'utf8', env: { ...process.env, HEIRLOOM_CLI_BUNDLE: '0' } });
  assert.equal(bundled.stdout.trim(), '0.1.0');
  assert.equal(viaTsx.stdout.trim(), bundled.stdout.trim());
});
