import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { runCli } from '../helpers/engine.js';
import { installTestModel } from '../helpers/install-test-model.js';
import { tempDir } from '../helpers/images.js';
import { planFaceBatch } from '../../src/core/faces/face-batches.js';
import { readCpuAvailableMemory } from '../../src/core/scheduler/memory-monitor.js';
import type { ModelManifest } from '../../src/shared/model-manifest.js';
import type { FileDoneEvent, ProgressEvent } from '../../src/shared/events.js';
import { installStandInFaceModel } from '../core/faces/stand-in-face-model.js';
import { buildStandInUpscaleModel } from '../core/models/catalog/stand-in-upscale-model.js';

const ASTRONAUT = resolve('test/fixtures/faces/astronaut.png');

/** A 2x nearest-neighbour "background model", so the face pass is what the test watches. */
function installStandInUpscaler(modelsDir: string): void {
  const bytes = buildStandInUpscaleModel({ scale: 2 });
  installTestModel(modelsDir, { id: 'stand-in-up', name: 'Stand-in 2x upscaler (tests only)', bytes, scale: 2, tileOverlap: 0 });
}

describe('heirloom restore --faces', () => {
  let home: string;
  let photos: string;
  let faceManifest: ModelManifest;
  const made: string[] = [];
  const events = (stdout: string) =>
    stdout
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { type: string });
  const restore = (out: string, extra: string[]) => runCli(['restore', photos, '--out', out, '--model', 'stand-in-up', '--tile', '0', '--json', '--home', home, ...extra]);

  before(async () => {
    home = tempDir('heirloom-faces-cli-');
    made.push(home);
    photos = join(home, 'photos');
    mkdirSync(photos);
    installStandInUpscaler(join(home, 'models'));
    faceManifest = installStandInFaceModel(join(home, 'models'), 'stand-in-face');
    // Two faces in one photo (the astronaut and her mirror image), in colour and in grey.
    const left = await sharp(ASTRONAUT).raw().toBuffer();
    const right = await sharp(ASTRONAUT).flop().raw().toBuffer();
    const pair = Buffer.alloc(1024 * 512 * 3);
    for (let y = 0; y < 512; y++) {
      left.copy(pair, y * 1024 * 3, y * 512 * 3, (y + 1) * 512 * 3);
      right.copy(pair, y * 1024 * 3 + 512 * 3, y * 512 * 3, (y + 1) * 512 * 3);
    }
    await sharp(pair, { raw: { width: 1024, height: 512, channels: 3 } }).png().toFile(join(photos, 'pair.png'));
    await sharp(pair, { raw: { width: 1024, height: 512, channels: 3 } }).toColourspace('b-w').png().toFile(join(photos, 'pair-grey.png'));
  });

  after(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('restores the faces of each photo in batches, keeps grey photos grey, and weight 0 changes nothing', async () => {
    const plain = join(home, 'plain');
    const withFaces = join(home, 'faces');
    const weightZero = join(home, 'zero');
    const [a, b, c] = [await restore(plain, []), await restore(withFaces, ['--faces', '--face-model', 'stand-in-face', '--face-weight', '1']), await restore(weightZero, ['--face-weight', '0', '--face-model', 'stand-in-face'])];
    for (const run of [a, b, c]) assert.equal(run.code, 0, run.stderr);

    const faceEvents = (events(b.stdout) as ProgressEvent[]).filter((e) => e.type === 'progress' && e.faces !== undefined);
    for (const name of ['pair.png', 'pair-grey.png']) {
      const mine = faceEvents.filter((e) => e.file.endsWith(`/${name}`));
      assert.equal(Math.max(...mine.map((e) => e.faces!)), 2, `two faces found in ${name}`);
      const expected = planFaceBatch({ manifest: faceManifest, freeBytes: await readCpuAvailableMemory(), budget: { kind: 'fraction', value: 0.8 }, maxBatch: 8, faces: 2 }).batchSize;
      // Both faces of the photo share a batch (with faces of another photo too when they finish together).
      if (expected === 2) assert.ok(mine.some((e) => e.batchSize >= 2), `both faces of ${name} ran in one batch`);
    }
    const done = (events(b.stdout) as FileDoneEvent[]).filter((e) => e.type === 'file-done');
    assert.deepEqual(done.map((e) => e.notes).sort(), [['2 faces restored'], ['2 faces restored']]);

    for (const name of ['pair.png', 'pair-grey.png']) {
      const [background, faces, zero] = await Promise.all([plain, withFaces, weightZero].map((dir) => sharp(join(dir, name)).raw().toBuffer({ resolveWithObject: true })));
      assert.equal((await sharp(join(withFaces, name)).metadata()).channels, name === 'pair-grey.png' ? 1 : 3, `${name} keeps its channels`);
      assert.equal(faces!.info.width, 2048);
      assert.ok(!faces!.data.equals(background!.data), `${name}: the faces changed`);
      assert.ok(zero!.data.equals(background!.data), `${name}: --face-weight 0 gives the background-only result`);
      // Far from the faces (the bottom-left corner of the suit), nothing changed.
      const channels = faces!.info.channels;
      for (let y = 1800 / 2; y < 1024; y += 7) {
        for (let x = 0; x < 200; x += 7) {
          const i = (y * 2048 + x) * channels;
          assert.equal(faces!.data[i], background!.data[i], `${name} at ${x},${y}`);
        }
      }
    }
  });

  it('says which face model to get when none is installed, and checks the weight', async () => {
    const empty = tempDir('heirloom-faces-cli-empty-');
    made.push(empty);
    installStandInUpscaler(join(empty, 'models'));
    const missing = await runCli(['restore', ASTRONAUT, '--out', join(empty, 'out'), '--model', 'stand-in-up', '--faces', '--json', '--home', empty]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /heirloom models download gfpgan-1\.4/);
    const badWeight = await runCli(['restore', ASTRONAUT, '--out', join(empty, 'out'), '--face-weight', '1.5', '--home', empty]);
    assert.equal(badWeight.code, 2);
    assert.match(badWeight.stderr, /--face-weight must be a number from 0 to 1/);
    const badFidelity = await runCli(['restore', ASTRONAUT, '--out', join(empty, 'out'), '--face-fidelity', 'high', '--home', empty]);
    assert.equal(badFidelity.code, 2);
    assert.match(badFidelity.stderr, /--face-fidelity must be a number from 0 to 1/);
  });

  it('feeds --face-fidelity (default 0.5) to a CodeFormer-style model apart from --face-weight, and records both', async () => {
    // The stand-in computes x * (1 - 2 fidelity) in [-1, 1]: 0.5 gives a mid-grey face, 1 the inverted face.
    installStandInFaceModel(join(home, 'models'), 'stand-in-codeformer', { fidelity: true });
    const pair = join(photos, 'pair.png');
    const run = (out: string, extra: string[]) => runCli(['restore', pair, '--out', out, '--model', 'stand-in-up', '--tile', '0', '--json', '--home', home, '--face-model', 'stand-in-codeformer', '--face-weight', '1', ...extra]);
    const byDefault = join(home, 'fidelity-default');
    const inverted = join(home, 'fidelity-1');
    const plain = join(home, 'fidelity-plain');
    for (const result of [await run(byDefault, []), await run(inverted, ['--face-fidelity', '1'])]) assert.equal(result.code, 0, result.stderr);
    assert.equal((await runCli(['restore', pair, '--out', plain, '--model', 'stand-in-up', '--tile', '0', '--json', '--home', home])).code, 0);
    const [grey, flipped, background] = await Promise.all([byDefault, inverted, plain].map((dir) => sharp(join(dir, 'pair.png')).raw().toBuffer()));
    // The astronaut's nose (224, 126) in the 2x output.
    const nose = (253 * 2048 + 449) * 3;
    for (let c = 0; c < 3; c++) {
      assert.ok(Math.abs(grey![nose + c]! - 128) <= 2, `default fidelity: channel ${c} is ${grey![nose + c]}, not mid-grey`);
      assert.ok(Math.abs(flipped![nose + c]! - (255 - background![nose + c]!)) < 24, `fidelity 1: channel ${c} is ${flipped![nose + c]}, not inverted`);
    }
    const history = await runCli(['history', '--json', '--limit', '3', '--home', home]);
    const recorded = history.stdout
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { settings: { outDir: string; faces?: unknown } });
    assert.deepEqual(recorded.find((j) => j.settings.outDir === inverted)?.settings.faces, { modelId: 'stand-in-codeformer', weight: 1, fidelity: 1 });
    assert.deepEqual(recorded.find((j) => j.settings.outDir === byDefault)?.settings.faces, { modelId: 'stand-in-codeformer', weight: 1, fidelity: 0.5 });
  });
});
