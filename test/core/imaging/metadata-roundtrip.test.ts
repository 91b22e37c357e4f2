/**
 * Metadata survives a restoration, checked with ExifTool (an independent reader), never
 * with sharp alone: EXIF date taken, camera, GPS, description, XMP, IPTC, the ICC profile,
 * orientation applied to the pixels and reset, resolution scaled with the photo.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { decodeImage, encodeImage, type DecodedImage, type OutputFormat } from '../../../src/core/imaging/codec.js';
import { TAG, TYPE, undefinedEntry, type Ifd } from '../../../src/core/imaging/tiff-ifd.js';
import { tempDir } from '../../helpers/images.js';
import { RICH_METADATA, addRichMetadata, exiftool, exiftoolJson, greyIccProfile, halves } from '../../fixtures/images/photo-fixtures.js';

let dir: string;
before(() => {
  dir = tempDir('heirloom-metadata-');
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const limits = { maxPixels: 10_000_000 };

/** Nearest-neighbour x2: a stand-in for the model, so the output is larger than the source. */
function upscale2(image: DecodedImage): Uint8Array {
  const { width, height, stride, data } = image.pixels;
  const out = new Uint8Array(width * 2 * height * 2 * stride);
  for (let y = 0; y < height * 2; y++) {
    for (let x = 0; x < width * 2; x++) {
      const s = ((y >> 1) * width + (x >> 1)) * stride;
      out.set(data.subarray(s, s + stride), (y * width * 2 + x) * stride);
    }
  }
  return out;
}

async function restoreLike(source: string, format: OutputFormat, strip = false): Promise<{ out: string; notes: string[] }> {
  const image = await decodeImage(source, limits);
  const out = join(dir, `${source.split('/').pop()}-to.${format}${strip ? '-stripped' : ''}`);
  const { notes } = await encodeImage(
    {
      data: upscale2(image),
      width: image.width * 2,
      height: image.height * 2,
      channels: (image.colorChannels + (image.hasAlpha ? 1 : 0)) as 1 | 2 | 3 | 4,
      bitDepth: 8,
      format,
      ...(strip ? {} : { metadata: image.metadata }),
    },
    out,
  );
  return { out, notes };
}

const sources = new Map<string, Promise<string>>();

/** A 40x24 photo stored sideways (EXIF orientation 6), Display P3, 300 dpi, with rich metadata. */
function richSource(format: 'jpeg' | 'png' | 'tiff' | 'webp', name = 'rich'): Promise<string> {
  const key = `${name}.${format}`;
  if (!sources.has(key)) {
    sources.set(
      key,
      (async () => {
        const file = join(dir, key);
        const pipeline = halves(40, 24).withIccProfile('p3').withDensity(300);
        await (format === 'tiff' ? pipeline.tiff({ compression: 'lzw' }) : pipeline.toFormat(format, { quality: 95 })).toFile(file);
        addRichMetadata(file, 6);
        return file;
      })(),
    );
  }
  return sources.get(key)!;
}

/** What ExifTool calls the Display P3 profile sharp embeds. */
const P3_DESCRIPTION = 'sP3C';

/** Mean RGB of a band of rows. */
async function bandColour(file: string, fromRow: number, toRow: number): Promise<number[]> {
  const { data, info } = await sharp(file).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = fromRow; y < toRow; y++) {
    for (let x = 0; x < info.width; x++) {
      for (let c = 0; c < 3; c++) sum[c]! += data[(y * info.width + x) * info.channels + c]!;
      n++;
    }
  }
  return sum.map((s) => Math.round(s / n));
}

for (const sourceFormat of ['jpeg', 'tiff', 'png', 'webp'] as const) {
  for (const format of ['jpeg', 'png', 'webp', 'tiff'] as const) {
    test(`${sourceFormat} -> ${format}: EXIF, GPS, XMP, IPTC and ICC kept; orientation applied and reset`, async () => {
      const source = await richSource(sourceFormat);
      const { out, notes } = await restoreLike(source, format);
      const tags = exiftoolJson(out, '-n', '-all', '-validate', '-warning');
      const m = RICH_METADATA;
      // Valid by ExifTool's rules; its one complaint about TIFF (GPSProcessingMethod, absent from the source) is not ours to invent.
      assert.equal(tags['ExifTool:Validate'], format === 'tiff' ? '0 1 0' : '0 0 0', String(tags['ExifTool:Warning']));
      if (format === 'tiff') assert.match(String(tags['ExifTool:Warning']), /GPSProcessingMethod/);
      assert.equal(tags['IFD0:Make'], m.make);
      assert.equal(tags['IFD0:Model'], m.model);
      assert.equal(tags['ExifIFD:DateTimeOriginal'], m.dateTaken);
      assert.equal(tags['IFD0:ImageDescription'], m.description);
      assert.ok(Math.abs((tags['GPS:GPSLatitude'] as number) - m.latitude) < 1e-4, `latitude ${tags['GPS:GPSLatitude']}`);
      assert.ok(Math.abs((tags['GPS:GPSLongitude'] as number) - m.longitude) < 1e-4, `longitude ${tags['GPS:GPSLongitude']}`);
      assert.equal(tags['GPS:GPSLatitudeRef'], 'N');
      assert.equal(tags['XMP-dc:Title'], m.xmpTitle);
      // IPTC: ExifTool itself writes none into WebP; where the source has it, WebP output says it was left out.
      if (sourceFormat !== 'webp') {
        if (format === 'webp') assert.match(notes.join(), /IPTC not copied: WebP/);
        else {
          assert.equal(tags['IPTC:Caption-Abstract'], m.iptcCaption);
          assert.deepEqual(tags['IPTC:Keywords'], m.iptcKeywords);
        }
      }
      assert.equal(tags['ICC_Profile:ProfileDescription'], P3_DESCRIPTION);
      // Orientation: the pixels are turned upright (40x24 stored sideways -> 24x40, doubled) and every tag says 1.
      assert.equal(tags['IFD0:Orientation'], 1);
      assert.equal(tags['XMP-tiff:Orientation'], 1);
      const info = await sharp(out).metadata();
      assert.deepEqual([info.width, info.height], [48, 80]);
      const [topR, , topB] = await bandColour(out, 0, 30);
      const [bottomR, , bottomB] = await bandColour(out, 50, 80);
      assert.ok(topR! > 150 && topB! < 90, `the left (red) half is now on top: ${topR},${topB}`);
      assert.ok(bottomB! > 150 && bottomR! < 90, `the right (blue) half is now at the bottom: ${bottomR},${bottomB}`);
      // Print size kept: twice the pixels at twice the resolution.
      assert.equal(tags['IFD0:XResolution'], 600);
      if (format !== 'tiff') {
        assert.equal(tags['ExifIFD:ExifImageWidth'], 48);
        assert.equal(tags['ExifIFD:ExifImageHeight'], 80);
      }
    });
  }
}

test('ICC colours: the restored sRGB samples are converted back into the source profile', async () => {
  const source = join(dir, 'p3-colour.png');
  const srgb = Buffer.alloc(16 * 16 * 3);
  for (let i = 0; i < srgb.length; i += 3) srgb.set([230, 30, 30], i);
  await sharp(srgb, { raw: { width: 16, height: 16, channels: 3 } }).withIccProfile('p3').png().toFile(source);
  const { out } = await restoreLike(source, 'png');
  const stored = await sharp(out, { ignoreIcc: true }).raw().toBuffer();
  const original = await sharp(source, { ignoreIcc: true }).raw().toBuffer();
  assert.deepEqual([...stored.subarray(0, 3)], [...original.subarray(0, 3)], 'same P3 numbers as the source');
});

test('--strip-metadata: no EXIF, XMP, IPTC or ICC profile, and the pixels are plain sRGB', async () => {
  const source = await richSource('jpeg');
  for (const format of ['jpeg', 'png', 'webp', 'tiff'] as const) {
    const { out } = await restoreLike(source, format, true);
    const tags = exiftoolJson(out);
    const groups = Object.keys(tags).map((k) => k.split(':')[0]);
    for (const group of ['ExifIFD', 'GPS', 'XMP-dc', 'XMP-tiff', 'IPTC', 'ICC_Profile']) assert.ok(!groups.includes(group), `${format} has no ${group}`);
    for (const tag of ['Make', 'Model', 'ImageDescription']) assert.equal(tags[`IFD0:${tag}`], undefined, `${format} has no ${tag}`);
    const [r] = await bandColour(out, 0, 30);
    assert.ok(r! > 150, 'still upright');
  }
});

test('a grey photo keeps its grey ICC profile and stays one channel (WebP is RGB: sRGB, no profile)', async () => {
  const icc = join(dir, 'grey.icc');
  await fs.writeFile(icc, greyIccProfile());
  const source = join(dir, 'grey-scan.jpg');
  await halves(30, 20).toColourspace('b-w').withIccProfile(icc).jpeg().toFile(source);
  assert.equal(exiftoolJson(source)['ICC-header:ColorSpaceData'], 'GRAY');
  for (const format of ['jpeg', 'png', 'tiff', 'webp'] as const) {
    const { out, notes } = await restoreLike(source, format);
    const tags = exiftoolJson(out);
    assert.deepEqual(notes, [], format);
    if (format === 'webp') assert.equal(tags['ICC_Profile:ProfileDescription'], undefined);
    else {
      assert.equal(tags['ICC_Profile:ProfileDescription'], 'Heirloom test Gray Gamma 2.2', format);
      assert.equal((await sharp(out).metadata()).channels, 1, format);
    }
  }
});

test('PNG text chunks (Author, Title) are carried into a PNG output', async () => {
  const source = await richSource('png', 'with-text');
  exiftool('-q', '-q', '-overwrite_original', '-PNG:Author=Jeanne Dupont', '-PNG:Title=Été à Étretat', source);
  const { out } = await restoreLike(source, 'png');
  const tags = exiftoolJson(out);
  assert.equal(tags['PNG:Author'], 'Jeanne Dupont');
  assert.equal(tags['PNG:Title'], 'Été à Étretat');
});

test('a maker note too large for a JPEG segment is dropped, the rest of EXIF kept', async () => {
  const source = await richSource('jpeg');
  const image = await decodeImage(source, limits);
  const exif = image.metadata.exif!;
  const sub: Ifd = exif.children.get(TAG.exifIfd)!;
  sub.entries.push(undefinedEntry(TAG.makerNote, Buffer.alloc(70_000, 0x41)));
  assert.equal(sub.entries.find((e) => e.tag === TAG.makerNote)?.type, TYPE.undefined);
  const jpeg = join(dir, 'makernote.jpg');
  await encodeImage({ data: image.pixels.data, width: image.width, height: image.height, channels: 3, bitDepth: 8, format: 'jpeg', metadata: image.metadata }, jpeg);
  const tags = exiftoolJson(jpeg, '-n', '-u');
  assert.equal(tags['IFD0:Make'], RICH_METADATA.make);
  assert.equal(tags['ExifIFD:MakerNoteUnknownBinary'] ?? tags['ExifIFD:MakerNoteUnknownText'], undefined);
  const png = join(dir, 'makernote.png');
  await encodeImage({ data: image.pixels.data, width: image.width, height: image.height, channels: 3, bitDepth: 8, format: 'png', metadata: image.metadata }, png);
  assert.ok((await fs.stat(png)).size > 70_000, 'PNG has room for it and keeps it');
});
