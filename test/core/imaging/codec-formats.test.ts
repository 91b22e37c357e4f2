import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { decodeImage, encodeImage, outputFormatFor, type DecodedImage } from '../../../src/core/imaging/codec.js';
import type { HeirloomError } from '../../../src/shared/errors.js';
import { tempDir } from '../../helpers/images.js';
import { bmpFile, rawImage, texture, writePages } from '../../fixtures/images/photo-fixtures.js';

let dir: string;
before(() => {
  dir = tempDir('heirloom-formats-');
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const W = 36;
const H = 28;
const limits = { maxPixels: 10_000_000 };

function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255) / (sum / a.length));
}

function firstPixel(image: DecodedImage): number[] {
  return [...image.pixels.data.subarray(0, image.pixels.stride)];
}

test('the bundled libvips reads and writes the formats docs/photo-safety.md lists', () => {
  const reads = Object.entries(sharp.format).filter(([, f]) => f.input.file).map(([id]) => id).sort();
  const writes = Object.entries(sharp.format).filter(([, f]) => f.output.file).map(([id]) => id).sort();
  for (const id of ['jpeg', 'png', 'webp', 'tiff', 'gif', 'heif']) assert.ok(reads.includes(id), `reads ${id}`);
  for (const id of ['jpeg', 'png', 'webp', 'tiff']) assert.ok(writes.includes(id), `writes ${id}`);
  // No BMP, JPEG 2000, JPEG XL or PDF loader in this build: those are UNSUPPORTED_FORMAT.
  for (const id of ['jp2', 'jxl', 'pdf', 'magick']) assert.ok(!reads.includes(id), `does not read ${id}`);
});

for (const [format, lossless] of [
  ['jpeg', false],
  ['png', true],
  ['webp', false],
  ['tiff', true],
  ['heif', false],
] as const) {
  test(`reads 8-bit ${format === 'heif' ? 'AVIF' : format.toUpperCase()} as sRGB samples`, async () => {
    const file = join(dir, `eight.${format === 'heif' ? 'avif' : format}`);
    const pipeline = rawImage(W, H, 3);
    if (format === 'heif') await pipeline.avif({ quality: 90 }).toFile(file);
    else if (format === 'tiff') await pipeline.tiff({ compression: 'lzw' }).toFile(file);
    else await pipeline.toFormat(format, format === 'png' ? {} : { quality: 95 }).toFile(file);
    const image = await decodeImage(file, limits);
    assert.equal(image.format, format);
    assert.deepEqual([image.width, image.height, image.colorChannels, image.bitDepth, image.hasAlpha, image.pages], [W, H, 3, 8, false, 1]);
    assert.deepEqual(image.notes, []);
    const quality = psnr(image.pixels.data, texture(W, H, 3));
    if (lossless) assert.equal(quality, Infinity);
    // Lossy codecs blur this busy texture (WebP halves the chroma); garbage or swapped channels score ~10 dB.
    else assert.ok(quality > 20, `PSNR ${quality.toFixed(1)} dB`);
  });
}

test('reads 16-bit TIFF and PNG as 16-bit samples, exactly', async () => {
  const samples = new Uint16Array(W * H * 3);
  for (let i = 0; i < samples.length; i++) samples[i] = (i * 2917) % 65536;
  for (const format of ['tiff', 'png'] as const) {
    const file = join(dir, `sixteen.${format}`);
    const pipeline = sharp(samples, { raw: { width: W, height: H, channels: 3 } }).toColourspace('rgb16');
    await (format === 'tiff' ? pipeline.tiff({ compression: 'lzw' }) : pipeline.png()).toFile(file);
    const image = await decodeImage(file, limits);
    assert.equal(image.bitDepth, 16, format);
    assert.equal(image.pixels.maxValue, 65535);
    assert.deepEqual([...image.pixels.data], [...samples], format);
  }
});

test('multi-page TIFF: the first page is restored and a note says so', async () => {
  const file = join(dir, 'pages.tif');
  await writePages(file, 'tiff', 20, 14);
  const image = await decodeImage(file, limits);
  assert.equal(image.pages, 3);
  assert.deepEqual([image.width, image.height], [20, 14]);
  const [r, g, b] = firstPixel(image);
  assert.ok(r! > 200 && g! < 50 && b! < 50, `first page is the red one, got ${[r, g, b]}`);
  assert.deepEqual(image.notes, ['first page of 3 restored']);
});

test('animated GIF: the first frame is restored and a note says so', async () => {
  const file = join(dir, 'frames.gif');
  await writePages(file, 'gif', 20, 14);
  const image = await decodeImage(file, limits);
  assert.equal(image.format, 'gif');
  assert.deepEqual([image.width, image.height, image.pages], [20, 14, 3]);
  const [r, g, b] = firstPixel(image);
  assert.ok(r! > 200 && g! < 50 && b! < 50, `first frame is the red one, got ${[r, g, b]}`);
  assert.deepEqual(image.notes, ['first frame of 3 restored']);
  assert.equal(outputFormatFor(image.format, 'keep'), 'png');
});

test('CMYK JPEG with an ICC profile is converted to sRGB through that profile', async () => {
  const file = join(dir, 'cmyk.jpg');
  await sharp({ create: { width: W, height: H, channels: 3, background: { r: 200, g: 40, b: 30 } } })
    .withIccProfile('cmyk')
    .jpeg({ quality: 95 })
    .toFile(file);
  const header = await sharp(file).metadata();
  assert.equal(header.space, 'cmyk');
  assert.ok(header.hasProfile);
  const image = await decodeImage(file, limits);
  assert.equal(image.colorChannels, 3);
  assert.equal(image.pixels.stride, 3);
  const [r, g, b] = firstPixel(image);
  for (const [got, want] of [
    [r, 200],
    [g, 40],
    [b, 30],
  ] as const) {
    assert.ok(Math.abs(got! - want) <= 20, `sRGB ${[r, g, b]} is close to 200,40,30`);
  }
  assert.equal(image.metadata.icc?.space, 'cmyk');
  assert.deepEqual(image.notes, ['CMYK colours converted to sRGB']);
});

test('an embedded RGB profile (Display P3) is honoured when converting to sRGB', async () => {
  const file = join(dir, 'p3.png');
  const srgb = Buffer.alloc(W * H * 3);
  for (let i = 0; i < srgb.length; i += 3) srgb.set([230, 30, 30], i);
  await sharp(srgb, { raw: { width: W, height: H, channels: 3 } }).withIccProfile('p3').png().toFile(file);
  const stored = await sharp(file, { ignoreIcc: true }).raw().toBuffer();
  const image = await decodeImage(file, limits);
  // The stored P3 numbers differ from the sRGB ones; the decoder must undo the profile.
  assert.ok(Math.abs(stored[0]! - 230) > 10 && Math.abs(stored[1]! - 30) > 10, `stored P3 ${[...stored.subarray(0, 3)]} differs from sRGB 230,30,30`);
  firstPixel(image).forEach((v, i) => assert.ok(Math.abs(v - [230, 30, 30][i]!) <= 1, `decoded ${firstPixel(image)} is sRGB 230,30,30`));
  assert.equal(image.metadata.icc?.space, 'rgb');
});

test('a grey photo stays one channel; alpha is kept apart', async () => {
  const grey = join(dir, 'grey.png');
  await rawImage(W, H).toColourspace('b-w').png().toFile(grey);
  const g = await decodeImage(grey, limits);
  assert.deepEqual([g.colorChannels, g.hasAlpha, g.pixels.stride], [1, false, 1]);
  const alpha = join(dir, 'alpha.png');
  await rawImage(W, H).ensureAlpha(0.5).png().toFile(alpha);
  const a = await decodeImage(alpha, limits);
  assert.deepEqual([a.colorChannels, a.hasAlpha, a.pixels.stride], [3, true, 4]);
  assert.equal(a.pixels.data[3], (await sharp(alpha).raw().toBuffer())[3]);
  assert.ok(Math.abs(a.pixels.data[3]! - 128) <= 1);
});

test('BMP is named and refused: the bundled libvips has no BMP loader', async () => {
  const file = join(dir, 'scan.bmp');
  await fs.writeFile(file, bmpFile(8, 6));
  await assert.rejects(decodeImage(file, limits), (e: HeirloomError) => e.code === 'UNSUPPORTED_FORMAT' && e.message.includes(file) && /a BMP file.*Convert it/.test(e.message));
});

test('encodes every output format; PNG and TIFF keep 16 bits, JPEG and WebP say they cannot', async () => {
  const samples = new Uint16Array(W * H * 3);
  for (let i = 0; i < samples.length; i++) samples[i] = (i * 1543) % 65536;
  for (const format of ['png', 'tiff', 'jpeg', 'webp'] as const) {
    const out = join(dir, `encoded-16.${format}`);
    const result = await encodeImage({ data: samples, width: W, height: H, channels: 3, bitDepth: 16, format }, out);
    const back = await decodeImage(out, limits);
    assert.deepEqual([back.width, back.height], [W, H], format);
    if (format === 'png' || format === 'tiff') {
      assert.equal(back.bitDepth, 16, format);
      assert.deepEqual([...back.pixels.data], [...samples], `${format} is lossless at 16 bits`);
      assert.deepEqual(result.notes, []);
    } else {
      assert.equal(back.bitDepth, 8, format);
      assert.match(result.notes.join(), /saved as 8-bit/);
    }
  }
});

test('an output too large for its format fails with advice, before anything is written', async () => {
  const out = join(dir, 'too-wide.webp');
  await assert.rejects(
    encodeImage({ data: new Uint8Array(20_000 * 3), width: 20_000, height: 1, channels: 3, bitDepth: 8, format: 'webp' }, out),
    (e: HeirloomError) => e.code === 'ENCODE_FAILED' && /at most 16383 pixels.*--format png/.test(e.message),
  );
  await assert.rejects(fs.stat(out), { code: 'ENOENT' });
});

test('keep maps each input format to an output format', () => {
  assert.deepEqual(
    ['jpeg', 'png', 'webp', 'tiff', 'gif', 'heif'].map((f) => outputFormatFor(f, 'keep')),
    ['jpeg', 'png', 'webp', 'tiff', 'png', 'png'],
  );
  assert.equal(outputFormatFor('png', 'jpeg'), 'jpeg');
});
