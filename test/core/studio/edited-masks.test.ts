import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { saveEditedMask } from '../../../src/core/studio/edited-masks.js';
import { readMaskPng } from '../../../src/core/imaging/mask-png.js';
import { tempDir } from '../../helpers/images.js';

describe('edited damage masks', () => {
  it('keeps each edit in its own folder under <home>/masks, named after the photo', async () => {
    const home = tempDir();
    const png = await sharp({ create: { width: 4, height: 2, channels: 3, background: '#000' } }).png().toBuffer();
    const first = await saveEditedMask(home, '/scans/grandma.jpg', png.toString('base64'));
    const second = await saveEditedMask(home, '/scans/grandma.jpg', png.toString('base64'));
    assert.equal(dirname(dirname(first)), join(home, 'masks'));
    assert.match(first, /grandma\.png$/);
    assert.notEqual(dirname(first), dirname(second), 'an earlier edit is never replaced');
    assert.deepEqual(readFileSync(first), png);
  });

  it('refuses what is not a PNG, in plain words', async () => {
    await assert.rejects(saveEditedMask(tempDir(), '/scans/a.jpg', Buffer.from('not a png at all').toString('base64')), (error: Error & { code?: string }) => error.code === 'USAGE' && /did not arrive as a PNG/.test(error.message));
  });

  it('reads a mask drawn at another size as a 0/1 mask of the photo, nearest pixel', async () => {
    const dir = tempDir();
    // 2 x 1: left white (damage), right black; read at 4 x 2.
    const file = join(dir, 'mask.png');
    await sharp(Buffer.from([255, 0]), { raw: { width: 2, height: 1, channels: 1 } }).png().toFile(file);
    assert.deepEqual([...(await readMaskPng(file, 4, 2))], [1, 1, 0, 0, 1, 1, 0, 0]);
  });
});
