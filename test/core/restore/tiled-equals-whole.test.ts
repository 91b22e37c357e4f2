import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { photo, testEngine } from '../../helpers/engine.js';
import { psnr, readRaw, tempDir } from '../../helpers/images.js';
import type { RestoreEvent } from '../../../src/shared/events.js';

const PHOTOS = ['astronaut.png', 'camera.png', 'chelsea.png', 'clock_motion.png', 'coins.png', 'hubble_deep_field.jpg'];

async function restoreAll(inputs: string[], model: string, tile: number, out: string, home: string) {
  const t = testEngine(home);
  const done = new Map<string, string>();
  const events: RestoreEvent[] = [];
  try {
    const summary = await t.engine.run({ inputs, outDir: out, modelId: model, tile, batch: 'auto', format: 'png' }, (e) => {
      events.push(e);
      if (e.type === 'file-done') done.set(e.file, e.output);
    });
    assert.equal(summary.failed, 0, JSON.stringify(events.filter((e) => e.type === 'file-failed')));
  } finally {
    await t.dispose();
  }
  return done;
}

async function assertTiledMatchesWhole(inputs: string[], model: string) {
  const dir = tempDir();
  const tiled = await restoreAll(inputs, model, 64, join(dir, 'tiled'), join(dir, 'home'));
  const whole = await restoreAll(inputs, model, 0, join(dir, 'whole'), join(dir, 'home'));
  for (const input of inputs) {
    const a = await readRaw(tiled.get(input)!);
    const b = await readRaw(whole.get(input)!);
    assert.deepEqual([a.width, a.height, a.channels], [b.width, b.height, b.channels]);
    const db = psnr(a.data, b.data);
    assert.ok(db >= 50, `${model} ${input}: tiled vs whole PSNR ${db.toFixed(2)} dB < 50`);
  }
}

test('realesr-general-x4v3: --tile 64 equals --tile 0 (PSNR >= 50 dB) on every test photo', { timeout: 600_000 }, async () => {
  await assertTiledMatchesWhole(PHOTOS.map(photo), 'realesr-general-x4v3');
});

test('realesrgan-x4plus: --tile 64 equals --tile 0 (PSNR >= 50 dB) on a 96-px crop of every test photo', { timeout: 600_000 }, async () => {
  // Whole 512-px photos take minutes per pass with this 23-block network on 2 cores; crops keep
  // CI short. `npm run bench -- tiling` runs the same check on the full photos.
  const dir = tempDir();
  mkdirSync(join(dir, 'crops'));
  const crops = await Promise.all(
    PHOTOS.map(async (name) => {
      const meta = await sharp(photo(name)).metadata();
      const out = join(dir, 'crops', name.replace(/\.\w+$/, '.png'));
      await sharp(photo(name)).extract({ left: Math.floor((meta.width! - 96) / 2), top: Math.floor((meta.height! - 96) / 2), width: 96, height: 96 }).png().toFile(out);
      return out;
    }),
  );
  await assertTiledMatchesWhole(crops, 'realesrgan-x4plus');
});
