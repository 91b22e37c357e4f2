/**
 * "Faces if installed" (the old-photo preset) is part of "the same work" only when faces can
 * run: a photo restored while no face model was installed is restored again once one is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RestoreEvent } from '../../../src/shared/events.js';
import { photo, testEngine } from '../../helpers/engine.js';
import { tempDir } from '../../helpers/images.js';
import { installStandInModel, STAND_IN_MODEL_ID } from '../../fixtures/images/stand-in-model.js';
import { installStandInFaceModel } from '../faces/stand-in-face-model.js';

test('a photo restored with "faces if installed" and no face model is restored again once a face model is installed', { timeout: 300_000 }, async () => {
  const dir = tempDir('heirloom-faces-if-installed-');
  const home = join(dir, 'home');
  mkdirSync(join(dir, 'in'), { recursive: true });
  copyFileSync(photo('astronaut.png'), join(dir, 'in', 'astronaut.png'));
  await installStandInModel(home);
  const request = { inputs: [join(dir, 'in')], outDir: join(dir, 'out'), modelId: STAND_IN_MODEL_ID, facesIfInstalled: true, format: 'png' as const, tile: 256, batch: 1 };
  const run = async () => {
    const t = testEngine(home);
    const events: RestoreEvent[] = [];
    try {
      await t.engine.run(request, (e) => events.push(e));
    } finally {
      await t.dispose();
    }
    return { done: events.filter((e) => e.type === 'file-done').length, skipped: events.filter((e) => e.type === 'file-skipped').length, unavailable: events.some((e) => e.type === 'warning' && e.code === 'STAGE_UNAVAILABLE') };
  };

  assert.deepEqual(await run(), { done: 1, skipped: 0, unavailable: true }, 'restored without faces, and said why');
  assert.deepEqual(await run(), { done: 0, skipped: 1, unavailable: true }, 'the same command again: nothing new to do');
  installStandInFaceModel(join(home, 'models'));
  assert.deepEqual(await run(), { done: 1, skipped: 0, unavailable: false }, 'with a face model the photo is new work');
  assert.deepEqual(await run(), { done: 0, skipped: 1, unavailable: false });
});
