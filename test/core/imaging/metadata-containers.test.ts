/** The container splicers produce files that decoders accept, with exactly one block of each kind. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { insertJpegMetadata } from '../../../src/core/imaging/jpeg-metadata.js';
import { insertPngMetadata } from '../../../src/core/imaging/png-metadata.js';
import { insertWebpExif } from '../../../src/core/imaging/webp-metadata.js';
import { serialiseExif } from '../../../src/core/imaging/exif-block.js';
import { TAG, shortEntry } from '../../../src/core/imaging/tiff-ifd.js';
import { readPngTextChunks } from '../../../src/core/imaging/png-text-chunks.js';
import { iptcRecords, parsePngRawProfile } from '../../../src/core/imaging/iptc-block.js';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from '../../helpers/images.js';
import { rawImage } from '../../fixtures/images/photo-fixtures.js';

const exif = serialiseExif({ entries: [shortEntry(TAG.orientation, 1), { tag: 0x010f, type: 2, count: 6, data: Buffer.from('Nikon\0', 'latin1') }], children: new Map() });
const iptc = Buffer.from([0x1c, 2, 120, 0, 5, ...Buffer.from('hello')]);

function count(haystack: Buffer, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle, 0, 'latin1'); at >= 0; at = haystack.indexOf(needle, at + 1, 'latin1')) n++;
  return n;
}

test('JPEG: EXIF and IPTC go after JFIF, replacing the encoder\'s own EXIF', async () => {
  // libvips writes a small EXIF of its own when given a density.
  const plain = await rawImage(20, 10).withDensity(300).jpeg().toBuffer();
  assert.equal(count(plain, 'Exif\0\0'), 1);
  const out = insertJpegMetadata(plain, { exif, iptc });
  assert.equal(count(out, 'Exif\0\0'), 1);
  assert.equal(count(out, 'Photoshop 3.0\0'), 1);
  assert.equal(out.toString('latin1', 6, 10), 'Exif', 'EXIF is the first segment');
  // libvips writes no JFIF header; other encoders do, and it must stay first.
  const bare = await rawImage(20, 10).jpeg().toBuffer();
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0', 'latin1'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const jfif = Buffer.concat([bare.subarray(0, 2), app0, bare.subarray(2)]);
  const afterJfif = insertJpegMetadata(jfif, { exif });
  assert.equal(afterJfif.toString('latin1', 6, 10), 'JFIF', 'JFIF stays first');
  assert.equal(afterJfif.toString('latin1', 4 + 16 + 4, 4 + 16 + 8), 'Exif', 'EXIF right after it');
  assert.equal((await sharp(afterJfif).metadata()).exif?.subarray(6).toString('hex'), exif.toString('hex'));
  const meta = await sharp(out).metadata();
  assert.equal(meta.exif?.subarray(6).toString('hex'), exif.toString('hex'));
  assert.equal((await sharp(out).raw().toBuffer()).length, 20 * 10 * 3);
});

test('PNG: one eXIf before IDAT, valid CRCs (libspng checks them), text read back exactly', async () => {
  const plain = await rawImage(20, 10).withDensity(300).png().toBuffer();
  const text = [
    { keyword: 'Title', text: 'Été' },
    { keyword: 'Comment', text: '日本の写真' },
  ];
  const out = insertPngMetadata(plain, { exif, iptc, text });
  assert.equal(count(out, 'eXIf'), 1);
  assert.ok(out.indexOf('eXIf', 0, 'latin1') < out.indexOf('IDAT', 0, 'latin1'));
  const meta = await sharp(out).metadata();
  assert.equal(meta.exif?.toString('hex'), exif.toString('hex'));
  assert.equal((await sharp(out).raw().toBuffer()).length, 20 * 10 * 3);
  const file = join(tempDir('heirloom-png-text-'), 'text.png');
  await fs.writeFile(file, out);
  const read = await readPngTextChunks(file);
  assert.deepEqual(
    read.filter((c) => c.keyword === 'Title' || c.keyword === 'Comment'),
    text,
  );
  assert.deepEqual(iptcRecords(parsePngRawProfile(read.find((c) => c.keyword === 'Raw profile type iptc')!.text)!), iptc);
  await fs.rm(dirname(file), { recursive: true });
});

for (const [kind, options] of [
  ['lossy (VP8)', { quality: 80 }],
  ['lossless (VP8L)', { lossless: true }],
] as const) {
  for (const alpha of [false, true]) {
    test(`WebP ${kind}${alpha ? ' with alpha' : ''}: a simple file becomes an extended one with EXIF`, async () => {
      let image = rawImage(21, 11);
      if (alpha) image = image.ensureAlpha(0.5);
      const plain = await image.webp(options).toBuffer();
      assert.equal(plain.toString('latin1', 12, 15), 'VP8', 'simple format before');
      const out = insertWebpExif(plain, exif, { width: 21, height: 11, hasAlpha: alpha });
      assert.equal(out.toString('latin1', 12, 16), 'VP8X');
      assert.equal(out.readUInt32LE(4), out.length - 8, 'RIFF size');
      const meta = await sharp(out).metadata();
      assert.deepEqual([meta.width, meta.height, meta.hasAlpha], [21, 11, alpha]);
      assert.equal(meta.exif?.toString('hex'), exif.toString('hex'));
      assert.equal((await sharp(out).raw().toBuffer()).length, 21 * 11 * (alpha ? 4 : 3));
    });
  }
}

test('WebP already extended (ICC, XMP): EXIF goes before XMP, the encoder\'s EXIF replaced', async () => {
  const plain = await rawImage(20, 10).withIccProfile('p3').withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>').withDensity(300).webp().toBuffer();
  const out = insertWebpExif(plain, exif, { width: 20, height: 10, hasAlpha: false });
  assert.equal(count(out, 'EXIF'), 1);
  assert.ok(out.indexOf('EXIF', 0, 'latin1') < out.indexOf('XMP ', 0, 'latin1'));
  const meta = await sharp(out).metadata();
  assert.equal(meta.exif?.toString('hex'), exif.toString('hex'));
  assert.ok(meta.icc && meta.xmp);
});
