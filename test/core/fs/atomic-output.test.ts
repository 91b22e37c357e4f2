import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { commitOutput, discardTemp, isTempOutput, numberedName, tempPathFor } from '../../../src/core/fs/atomic-output.js';
import { tempDir } from '../../helpers/images.js';

let dir: string;
before(() => {
  dir = tempDir('heirloom-atomic-');
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function finished(finalPath: string, content: string): Promise<string> {
  const temp = tempPathFor(finalPath);
  await fs.writeFile(temp, content);
  return temp;
}

test('temporary files are hidden, in the destination folder, and recognisable', () => {
  const temp = tempPathFor('/photos/out/Grand-mère 1952.jpg');
  assert.ok(temp.startsWith('/photos/out/.Grand-mère 1952.jpg.'));
  assert.ok(isTempOutput(temp));
  assert.equal(numberedName('/out/a b.jpg', 2), '/out/a b (2).jpg');
});

test('an existing file is never overwritten: the next free name is chosen', async () => {
  const final = join(dir, 'photo.jpg');
  await fs.writeFile(final, 'older output');
  await fs.writeFile(join(dir, 'photo (1).jpg'), 'older output 1');
  const written = await commitOutput(await finished(final, 'new'), final, false);
  assert.equal(written, join(dir, 'photo (2).jpg'));
  assert.equal(await fs.readFile(final, 'utf8'), 'older output');
  assert.equal(await fs.readFile(join(dir, 'photo (1).jpg'), 'utf8'), 'older output 1');
  assert.equal(await fs.readFile(written, 'utf8'), 'new');
});

test('outputs finishing at the same moment for the same name all get their own file', async () => {
  const final = join(dir, 'race.png');
  const written = await Promise.all(Array.from({ length: 6 }, async (_, i) => commitOutput(await finished(final, `photo ${i}`), final, false)));
  assert.equal(new Set(written).size, 6);
  const contents = await Promise.all(written.map((p) => fs.readFile(p, 'utf8')));
  assert.deepEqual(contents.sort(), ['photo 0', 'photo 1', 'photo 2', 'photo 3', 'photo 4', 'photo 5']);
});

test('--overwrite replaces an existing output in one rename', async () => {
  const final = join(dir, 'replace.jpg');
  await fs.writeFile(final, 'old');
  const written = await commitOutput(await finished(final, 'new'), final, true);
  assert.equal(written, final);
  assert.equal(await fs.readFile(final, 'utf8'), 'new');
});

test('--overwrite never replaces an original being restored (same path, or a hard link to it)', async () => {
  const original = join(dir, 'original.jpg');
  await fs.writeFile(original, 'irreplaceable');
  const written = await commitOutput(await finished(original, 'restored'), original, true, [original]);
  assert.equal(written, join(dir, 'original (1).jpg'));
  assert.equal(await fs.readFile(original, 'utf8'), 'irreplaceable');

  const linked = join(dir, 'linked.jpg');
  await fs.link(original, linked);
  const second = await commitOutput(await finished(linked, 'restored again'), linked, true, [original]);
  assert.equal(second, join(dir, 'linked (1).jpg'));
  assert.equal(await fs.readFile(original, 'utf8'), 'irreplaceable');
});

test('nothing is left behind: the temporary file is gone after a commit or a discard', async () => {
  const final = join(dir, 'clean.webp');
  await commitOutput(await finished(final, 'x'), final, false);
  const abandoned = await finished(join(dir, 'failed.webp'), 'half');
  await discardTemp(abandoned);
  await discardTemp(abandoned); // twice is fine (a failure after a cancel)
  assert.deepEqual((await fs.readdir(dir)).filter(isTempOutput), []);
});
