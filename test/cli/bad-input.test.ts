/**
 * Bad input fails alone: a batch of good photos mixed with every kind of bad file, run
 * through the real CLI (--json). Each bad file gets a file-failed event with a stable code
 * and a message that names it and says what to do; every good photo is still restored;
 * the exit code is 1; no original changes and no half-written file is left.
 *
 * Permissions: tests run as root here, and root reads any file. So the CLI child runs as
 * `nobody` (setpriv) when the test runs as root: the unreadable photo is then unreadable
 * for real, through the same open() a user's run would do.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { chmodSync, promises as fs, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tempDir } from '../helpers/images.js';
import { bmpFile, pngDeclaringSize, psdFile, rawImage, sha256, truncatedCopy } from '../fixtures/images/photo-fixtures.js';
import { failures, mustDropPrivileges, runCli, successes } from '../fixtures/images/cli-child.js';
import { STAND_IN_MODEL_ID, installStandInModel } from '../fixtures/images/stand-in-model.js';

let root: string;
before(async () => {
  root = tempDir('heirloom-bad-input-cli-');
  // The unprivileged child writes its output, history and caches under here.
  await fs.chmod(root, 0o777);
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** Good photos: each must be restored, whatever sits next to it. */
const GOOD: Record<string, (path: string) => Promise<unknown>> = {
  'a-good.jpg': (p) => rawImage(32, 24, 1).jpeg({ quality: 90 }).toFile(p),
  'b-good.png': (p) => rawImage(24, 32, 2).png().toFile(p),
  'c-good.webp': (p) => rawImage(28, 20, 3).webp().toFile(p),
  'd-good-16bit.tif': (p) =>
    sharp(new Uint16Array(20 * 20 * 3).map((_, i) => (i * 977) % 65536), { raw: { width: 20, height: 20, channels: 3 } })
      .toColourspace('rgb16')
      .tiff({ compression: 'lzw' })
      .toFile(p),
  // Succeeds by design: a valid photo whose name is not ASCII and has spaces.
  "Grand-mère à l'été 1952 — 日本.jpg": (p) => rawImage(24, 16, 4).jpeg().toFile(p),
  // Succeeds by design: a valid 1x1 image is restored (the tile is padded by reflection).
  'tiny-1x1.png': (p) => rawImage(1, 1, 5).png().toFile(p),
};

/**
 * Each bad file, its code, and what its message must say (what is wrong, what to do). The
 * phrases, not whole sentences: the listing stage and the decoder word them separately.
 */
const BAD: Record<string, { code: string; says: RegExp[] }> = {
  'empty.jpg': { code: 'EMPTY_FILE', says: [/empty \(0 bytes\)/, /Copy it again/] },
  'cut.jpg': { code: 'TRUNCATED', says: [/damaged or incomplete/, /Copy it again from the original source/] },
  'cut.png': { code: 'TRUNCATED', says: [/damaged or incomplete/, /Copy it again from the original source/] },
  'shopping-list.jpg': { code: 'UNSUPPORTED_FORMAT', says: [/not a photo: it contains text, not JPG image data/, /Check that the right file/] },
  'scan.bmp': { code: 'UNSUPPORTED_FORMAT', says: [/is a BMP file, which Heirloom cannot read/, /Convert it to JPEG, PNG, TIFF or WebP/] },
  'layers.psd': { code: 'UNSUPPORTED_FORMAT', says: [/is a Photoshop \(PSD\) file, which Heirloom cannot read/, /Convert it to JPEG, PNG, TIFF or WebP/] },
  'album.png': { code: 'NOT_A_FILE', says: [/folder/, /photos inside it|photo files inside it/] },
  'zz-vanishing.jpg': { code: 'NOT_FOUND', says: [/no longer exists|is gone/, /moved or deleted|Put it back/] },
  'locked.jpg': { code: 'PERMISSION_DENIED', says: [/permission denied/, /Give your user (read )?access/] },
  'bomb.png': { code: 'TOO_MANY_PIXELS', says: [/declares 30000x30000 pixels \(900 megapixels\), above the limit of 200 MP, so it was not decoded/, /Raise the limit/] },
  loop: { code: 'SYMLINK_LOOP', says: [/links back to a folder that contains it/, /Remove or fix the link/] },
  'self-link.jpg': { code: 'SYMLINK_LOOP', says: [/symbolic link loop|points back to itself/, /Remove or fix the link/] },
};

test('a mixed batch: each bad file fails alone with its code; every good photo is restored; exit code 1', async () => {
  const input = join(root, 'in');
  const elsewhere = join(root, 'elsewhere');
  await fs.mkdir(input);
  await fs.mkdir(elsewhere);
  await fs.chmod(input, 0o777);
  for (const [name, make] of Object.entries(GOOD)) await make(join(input, name));

  await fs.writeFile(join(input, 'empty.jpg'), '');
  await rawImage(96, 64).jpeg({ quality: 95 }).toFile(join(elsewhere, 'whole.jpg'));
  await truncatedCopy(join(elsewhere, 'whole.jpg'), join(input, 'cut.jpg'), 0.5);
  await rawImage(96, 64).png().toFile(join(elsewhere, 'whole.png'));
  await truncatedCopy(join(elsewhere, 'whole.png'), join(input, 'cut.png'), 0.6);
  await fs.writeFile(join(input, 'shopping-list.jpg'), 'Shopping list:\n- film (Ilford HP5)\n- fixer\n');
  await fs.writeFile(join(input, 'scan.bmp'), bmpFile(16, 12));
  await fs.writeFile(join(elsewhere, 'layers.psd'), psdFile(16, 12)); // named on the command line
  await fs.mkdir(join(input, 'album.png'));
  await rawImage(24, 24).jpeg().toFile(join(input, 'zz-vanishing.jpg'));
  await rawImage(24, 24).jpeg().toFile(join(input, 'locked.jpg'));
  await fs.writeFile(join(input, 'bomb.png'), pngDeclaringSize(30_000, 30_000));
  await fs.symlink('.', join(input, 'loop'));
  await fs.symlink('self-link.jpg', join(input, 'self-link.jpg'));

  const originals = [...Object.keys(GOOD), 'empty.jpg', 'cut.jpg', 'cut.png', 'shopping-list.jpg', 'scan.bmp', 'bomb.png', 'locked.jpg'].map((n) => join(input, n));
  originals.push(join(elsewhere, 'layers.psd'));
  const before = new Map(originals.map((p) => [p, { sha: sha256(p), mtime: statSync(p).mtimeMs }]));
  chmodSync(join(input, 'locked.jpg'), 0o000);

  const vanishing = join(input, 'zz-vanishing.jpg');
  const out = join(root, 'out');
  const run = await runCli(['restore', input, join(elsewhere, 'layers.psd'), '--out', out, '--home', join(root, 'home'), '--scale', '2', '--tile', '512', '--batch', '1', '--json'], {
    unprivileged: true,
    env: { HOME: root },
    onEvent: (event, pid) => {
      // Listing is done (the total is known): delete a listed photo before the engine decodes it.
      // The child is paused so it cannot get there first.
      if (event.type !== 'job-listing' || !event.done) return;
      process.kill(pid, 'SIGSTOP');
      rmSync(vanishing);
      process.kill(pid, 'SIGCONT');
    },
  });
  chmodSync(join(input, 'locked.jpg'), 0o644);

  assert.equal(run.code, 1, run.stderr);
  const failed = failures(run);
  const done = successes(run);
  const finished = run.events.find((e) => e.type === 'job-finished');
  assert.deepEqual(finished && [finished.succeeded, finished.failed], [Object.keys(GOOD).length, Object.keys(BAD).length], JSON.stringify([...failed]));

  for (const [name, expected] of Object.entries(BAD)) {
    const file = name === 'layers.psd' ? join(elsewhere, name) : join(input, name);
    const failure = failed.get(file);
    assert.ok(failure, `${name} has a file-failed event (got ${JSON.stringify([...failed.keys()])})`);
    assert.equal(failure.code, expected.code, `${name}: ${failure.message}`);
    assert.ok(failure.message.includes(file), `${name}: the message names the file: ${failure.message}`);
    for (const phrase of expected.says) assert.match(failure.message, phrase, name);
  }

  for (const name of Object.keys(GOOD)) {
    const file = join(input, name);
    const result = done.get(file);
    assert.ok(result, `${name} was restored (failures: ${JSON.stringify(failed.get(file))})`);
    const source = await sharp(file).metadata();
    assert.equal(basename(result.output).replace(/\.[^.]+$/, ''), name.replace(/\.[^.]+$/, ''), 'the name is kept, accents, spaces and all');
    assert.ok(result.output.startsWith(out));
    const depth = (await sharp(result.output).metadata()).depth === 'ushort' ? 'ushort' : 'uchar';
    const restored = await sharp(result.output).raw({ depth }).toBuffer({ resolveWithObject: true });
    assert.deepEqual([restored.info.width, restored.info.height], [source.width * 2, source.height * 2], name);
    assert.equal(restored.data.length, source.width * 2 * source.height * 2 * restored.info.channels * (depth === 'ushort' ? 2 : 1), `${name} decodes whole`);
  }
  assert.equal((await sharp(done.get(join(input, 'd-good-16bit.tif'))!.output).metadata()).depth, 'ushort', '16-bit TIFF stays 16-bit');

  for (const [path, was] of before) {
    assert.equal(sha256(path), was.sha, `${basename(path)} is unchanged`);
    assert.equal(statSync(path).mtimeMs, was.mtime, `${basename(path)} was not written to`);
  }
  const left = await fs.readdir(out);
  assert.deepEqual(
    left.filter((n) => n.startsWith('.')),
    [],
    'no temporary or probe files left in the output folder',
  );
  assert.equal(left.length, Object.keys(GOOD).length);
  if (mustDropPrivileges()) assert.equal(statSync(out).uid, 65534, 'the child really ran unprivileged');
});

test('a 20000x16 strip is restored (tiled, padded by reflection) next to an ordinary photo', async () => {
  // The bundled fast model takes about two minutes on this strip on a CPU; a stand-in model
  // with the same signature and tile overlap exercises the same tiling, padding and encoding.
  const home = join(root, 'strip-home');
  await installStandInModel(home);
  const input = join(root, 'strip-in');
  await fs.mkdir(input);
  await rawImage(20_000, 16).png().toFile(join(input, 'strip.png'));
  await rawImage(30, 20).png().toFile(join(input, 'ordinary.png'));
  const out = join(root, 'strip-out');
  const run = await runCli(['restore', input, '--out', out, '--home', home, '--model', STAND_IN_MODEL_ID, '--tile', '512', '--batch', '1', '--json']);
  assert.equal(run.code, 0, run.stderr + JSON.stringify(run.events.filter((e) => e.type === 'file-failed')));
  const done = successes(run);
  const strip = done.get(join(input, 'strip.png'))!;
  assert.deepEqual([strip.width, strip.height], [40_000, 32]);
  const { data, info } = await sharp(strip.output, { limitInputPixels: false }).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [40_000, 32]);
  // Nearest x2: every output pixel is its source pixel, so any tile seam or misplaced tile shows.
  const source = await sharp(join(input, 'strip.png')).raw().toBuffer();
  for (const [x, y] of [
    [0, 0],
    [511, 15],
    [512, 0],
    [9_999, 7],
    [19_999, 15],
  ] as const) {
    const s = (y * 20_000 + x) * 3;
    const d = (y * 2 * 40_000 + x * 2) * 3;
    assert.deepEqual([...data.subarray(d, d + 3)], [...source.subarray(s, s + 3)], `pixel ${x},${y}`);
  }
  assert.deepEqual([done.get(join(input, 'ordinary.png'))!.width, done.get(join(input, 'ordinary.png'))!.height], [60, 40]);
});
