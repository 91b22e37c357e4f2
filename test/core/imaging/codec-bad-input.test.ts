import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { decodeImage, probeImage } from '../../../src/core/imaging/codec.js';
import { collectInputs } from '../../../src/core/fs/collect-inputs.js';
import type { ErrorCode, HeirloomError } from '../../../src/shared/errors.js';
import { tempDir } from '../../helpers/images.js';
import { withDeadline } from '../../../src/core/imaging/with-deadline.js';
import { damagedHeic, pngDeclaringSize, psdFile, rawImage, truncatedCopy } from '../../fixtures/images/photo-fixtures.js';

let dir: string;
before(() => {
  dir = tempDir('heirloom-bad-input-');
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const limits = { maxPixels: 200_000_000 };

/** Decoding `file` fails with `code`, and the message names the file and matches `advice`. */
async function assertFails(file: string, code: ErrorCode, advice: RegExp): Promise<void> {
  await assert.rejects(decodeImage(file, limits), (error: HeirloomError) => {
    assert.equal(error.code, code, error.message);
    assert.equal(error.file, file);
    assert.ok(error.message.includes(file), `message names the file: ${error.message}`);
    assert.match(error.message, advice);
    return true;
  });
}

test('a zero-byte file is EMPTY_FILE', async () => {
  const file = join(dir, 'empty.jpg');
  await fs.writeFile(file, '');
  await assertFails(file, 'EMPTY_FILE', /empty \(0 bytes\).*Copy it again/);
});

test('a truncated JPEG passes the header check and fails to decode as TRUNCATED', async () => {
  const whole = join(dir, 'whole.jpg');
  await rawImage(96, 64).jpeg({ quality: 95 }).toFile(whole);
  const file = join(dir, 'cut.jpg');
  await truncatedCopy(whole, file, 0.5);
  assert.equal((await probeImage(file, limits)).width, 96, 'the header is intact');
  await assertFails(file, 'TRUNCATED', /damaged or incomplete.*Copy it again/);
});

test('a truncated PNG is TRUNCATED', async () => {
  const whole = join(dir, 'whole.png');
  await rawImage(96, 64).png().toFile(whole);
  const file = join(dir, 'cut.png');
  await truncatedCopy(whole, file, 0.6);
  await assertFails(file, 'TRUNCATED', /damaged or incomplete/);
});

test('a text file named .jpg is UNSUPPORTED_FORMAT and says it is text', async () => {
  const file = join(dir, 'notes.jpg');
  await fs.writeFile(file, 'Shopping list:\n- film\n- fixer\n');
  await assertFails(file, 'UNSUPPORTED_FORMAT', /not a photo: it contains text, not JPG image data/);
});

test('a Photoshop document is UNSUPPORTED_FORMAT and named', async () => {
  const file = join(dir, 'layers.psd');
  await fs.writeFile(file, psdFile(8, 8));
  await assertFails(file, 'UNSUPPORTED_FORMAT', /is a Photoshop \(PSD\) file.*Convert it to JPEG, PNG, TIFF or WebP/);
});

test('a folder named like a photo is NOT_A_FILE', async () => {
  const file = join(dir, 'album.png');
  await fs.mkdir(file);
  await assertFails(file, 'NOT_A_FILE', /is a folder, not a photo/);
});

test('a named pipe is NOT_A_FILE and is never opened (opening it would block)', async () => {
  const file = join(dir, 'pipe.jpg');
  execFileSync('mkfifo', [file]);
  await assertFails(file, 'NOT_A_FILE', /not a regular file/);
});

test('a file deleted between listing and reading is NOT_FOUND', async () => {
  const folder = join(dir, 'listing');
  await fs.mkdir(folder);
  const file = join(folder, 'vanishing.jpg');
  await rawImage(16, 16).jpeg().toFile(file);
  const listed = await collectInputs([folder]);
  assert.deepEqual(
    listed.map((e) => e.path),
    [file],
  );
  await fs.rm(file);
  await assertFails(file, 'NOT_FOUND', /no longer exists/);
});

test('a symbolic link to itself is SYMLINK_LOOP', async () => {
  const file = join(dir, 'self.jpg');
  await fs.symlink('self.jpg', file);
  await assertFails(file, 'SYMLINK_LOOP', /points back to itself/);
});

test('a PNG declaring 30000x30000 is refused from its header alone (TOO_MANY_PIXELS)', async () => {
  const file = join(dir, 'bomb.png');
  await fs.writeFile(file, pngDeclaringSize(30_000, 30_000));
  assert.ok((await fs.stat(file)).size < 200, 'a tiny file');
  await assertFails(file, 'TOO_MANY_PIXELS', /declares 30000x30000 pixels \(900 megapixels\), above the limit of 200 MP.*not decoded/);
  await assert.rejects(probeImage(file, limits), { code: 'TOO_MANY_PIXELS' });
  // With the limit raised, the decoder gets as far as the (missing) pixel data: proof that the
  // refusal above came from the header, before any decoding.
  await assert.rejects(decodeImage(file, { maxPixels: 1_000_000_000 }), { code: 'TRUNCATED' });
});

test('the pixel limit is a setting: a small limit refuses an ordinary photo', async () => {
  const file = join(dir, 'ordinary.png');
  await rawImage(40, 30).png().toFile(file);
  await assert.rejects(decodeImage(file, { maxPixels: 1000 }), { code: 'TOO_MANY_PIXELS' });
  assert.equal((await decodeImage(file, { maxPixels: 1200 })).width, 40);
});

test('valid extremes decode: 1x1, 20000x16, a non-ASCII name with spaces', async () => {
  const tiny = join(dir, 'tiny.png');
  await rawImage(1, 1).png().toFile(tiny);
  assert.deepEqual([(await decodeImage(tiny, limits)).width, (await decodeImage(tiny, limits)).height], [1, 1]);
  const strip = join(dir, 'strip.png');
  await rawImage(20_000, 16).png().toFile(strip);
  const wide = await decodeImage(strip, limits);
  assert.deepEqual([wide.width, wide.height], [20_000, 16]);
  const named = join(dir, "Grand-mère à l'été 1952 — 日本 (copy).jpg");
  await rawImage(20, 12).jpeg().toFile(named);
  assert.equal((await decodeImage(named, limits)).file, named);
});

test('a damaged HEIC fails as damaged, within the header deadline', { timeout: 30_000 }, async () => {
  const file = join(dir, 'a damaged photo from a phone.heic');
  await fs.writeFile(file, await damagedHeic());
  await assert.rejects(decodeImage(file, { ...limits, headerTimeoutMs: 5_000 }), (error: HeirloomError) => {
    assert.ok(error.code === 'TRUNCATED' || error.code === 'DECODE_FAILED', `${error.code}: ${error.message}`);
    assert.ok(error.message.includes(file));
    assert.match(error.message, /Copy it again|re-save it in another program/);
    return true;
  });
});

test('withDeadline: a promise that never settles is rejected; one that does passes through', async () => {
  await assert.rejects(
    withDeadline(new Promise(() => {}), 20, () => new Error('gave up')),
    /gave up/,
  );
  assert.equal(await withDeadline(Promise.resolve(7), 1_000, () => new Error('no')), 7);
  await assert.rejects(withDeadline(Promise.reject(new Error('own error')), 1_000, () => new Error('no')), /own error/);
});
