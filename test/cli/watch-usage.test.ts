import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/engine.js';
import { tempDir } from '../helpers/images.js';

test('heirloom watch refuses what can never work: a missing folder, an unknown model, a scale beyond the model, no --out', async () => {
  const dir = tempDir('heirloom-watch-usage-');
  const home = join(dir, 'home');
  mkdirSync(join(dir, 'in'));
  const [missing, model, scale, noOut] = await Promise.all([
    runCli(['watch', join(dir, 'nope'), '--out', join(dir, 'out'), '--json', '--home', home]),
    runCli(['watch', join(dir, 'in'), '--out', join(dir, 'out'), '--model', 'no-such-model', '--home', home]),
    runCli(['watch', join(dir, 'in'), '--out', join(dir, 'out'), '--scale', '8', '--home', home]),
    runCli(['watch', join(dir, 'in'), '--home', home]),
  ]);
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /"code":"NOT_FOUND"/);
  assert.match(missing.stderr, /does not exist/);
  assert.equal(model.code, 1);
  assert.match(model.stderr, /no-such-model/);
  assert.equal(scale.code, 2);
  assert.match(scale.stderr, /--scale must be a whole number from 1 to 4/);
  assert.equal(noOut.code, 2);
});
