import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { collectInputs } from '../../../src/core/fs/collect-inputs.js';
import { tempDir } from '../../helpers/images.js';

let dir: string;
before(() => {
  dir = tempDir('heirloom-collect-');
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test('folders are searched recursively; loops, temporary outputs and the output folder are not followed', async () => {
  const root = join(dir, 'scans');
  await fs.mkdir(join(root, 'album', 'nested'), { recursive: true });
  for (const name of ['b.jpg', 'album/a.PNG', 'album/nested/c.tif', 'album/readme.txt', "Été 1952 — 日本 copy.jpg"]) await fs.writeFile(join(root, name), 'x');
  await fs.writeFile(join(root, '.b.jpg.1234.heirloom-tmp'), 'half-written');
  await fs.mkdir(join(root, 'folder-named.png'));
  await fs.symlink('..', join(root, 'album', 'nested', 'back-up'));
  await fs.symlink('self.jpg', join(root, 'self.jpg'));
  await fs.mkdir(join(root, 'restored'));
  await fs.writeFile(join(root, 'restored', 'b.jpg'), 'an output');

  const entries = await collectInputs([root], { exclude: [join(root, 'restored')] });
  const byName = new Map(entries.map((e) => [e.path.slice(root.length + 1), e.error?.code ?? 'ok']));
  assert.deepEqual(Object.fromEntries(byName), {
    'album/a.PNG': 'ok',
    'album/nested/back-up': 'SYMLINK_LOOP',
    'album/nested/c.tif': 'ok',
    'b.jpg': 'ok',
    'folder-named.png': 'ok', // listed: the decoder says NOT_A_FILE with the path
    'self.jpg': 'SYMLINK_LOOP',
    "Été 1952 — 日本 copy.jpg": 'ok',
  });
  const loop = entries.find((e) => e.path.endsWith('back-up'))!;
  assert.match(loop.error!.message, /links back to a folder that contains it.*Remove or fix the link/);
});

test('a named file that does not exist is NOT_FOUND; a named file of any extension is taken', async () => {
  await fs.writeFile(join(dir, 'layers.psd'), 'x');
  const entries = await collectInputs([join(dir, 'missing.jpg'), join(dir, 'layers.psd')]);
  assert.equal(entries[0]!.error?.code, 'NOT_FOUND');
  assert.match(entries[0]!.error!.message, /missing\.jpg does not exist/);
  assert.equal(entries[1]!.error, undefined);
});
