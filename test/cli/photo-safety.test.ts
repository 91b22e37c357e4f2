/**
 * Photo safety through the real CLI: metadata kept (checked with ExifTool, not sharp),
 * originals never modified, outputs never overwritten without --overwrite (and originals
 * not even with it), an unusable output folder refused before any work.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { promises as fs, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/images.js';
import { RICH_METADATA, addRichMetadata, exiftoolJson, halves, sha256, writePages } from '../fixtures/images/photo-fixtures.js';
import { mustDropPrivileges, runCli, successes } from '../fixtures/images/cli-child.js';

let root: string;
let input: string;
let out: string;
let home: string;
const originals = new Map<string, string>();

const FAST = ['--scale', '2', '--tile', '512', '--batch', '1', '--json'];

before(async () => {
  root = tempDir('heirloom-photo-safety-');
  await fs.chmod(root, 0o777);
  input = join(root, 'in');
  out = join(root, 'out');
  home = join(root, 'home');
  await fs.mkdir(input);
  // Stored sideways (EXIF orientation 6), Display P3, 300 dpi, with EXIF, GPS, XMP and IPTC.
  for (const format of ['jpeg', 'tiff'] as const) {
    const file = join(input, `rich.${format === 'jpeg' ? 'jpg' : 'tif'}`);
    const pipeline = halves(40, 24).withIccProfile('p3').withDensity(300);
    await (format === 'tiff' ? pipeline.tiff({ compression: 'lzw' }) : pipeline.jpeg({ quality: 95 })).toFile(file);
    addRichMetadata(file, 6);
  }
  await writePages(join(input, 'pages.tif'), 'tiff', 20, 14);
  await sharp({ create: { width: 20, height: 14, channels: 3, background: { r: 200, g: 40, b: 30 } } })
    .withIccProfile('cmyk')
    .jpeg()
    .toFile(join(input, 'cmyk.jpg'));
  for (const name of await fs.readdir(input)) originals.set(join(input, name), sha256(join(input, name)));
});

after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function assertOriginalsUnchanged(): void {
  for (const [path, sha] of originals) assert.equal(sha256(path), sha, `${path} is unchanged`);
}

test('restore keeps EXIF, GPS, XMP, IPTC and the ICC profile; orientation applied and reset (ExifTool)', async () => {
  const run = await runCli(['restore', input, '--out', out, '--home', home, ...FAST]);
  assert.equal(run.code, 0, run.stderr);
  const done = successes(run);
  assert.equal(done.size, 4);
  const m = RICH_METADATA;
  for (const [source, output] of [
    ['rich.jpg', 'rich.jpg'],
    ['rich.tif', 'rich.tif'],
  ] as const) {
    assert.equal(done.get(join(input, source))?.output, join(out, output), 'the format is kept');
    const tags = exiftoolJson(join(out, output), '-n');
    assert.equal(tags['IFD0:Make'], m.make, output);
    assert.equal(tags['IFD0:Model'], m.model, output);
    assert.equal(tags['ExifIFD:DateTimeOriginal'], m.dateTaken, output);
    assert.equal(tags['IFD0:ImageDescription'], m.description, output);
    assert.ok(Math.abs((tags['GPS:GPSLatitude'] as number) - m.latitude) < 1e-4, output);
    assert.ok(Math.abs((tags['GPS:GPSLongitude'] as number) - m.longitude) < 1e-4, output);
    assert.equal(tags['XMP-dc:Title'], m.xmpTitle, output);
    assert.equal(tags['IPTC:Caption-Abstract'], m.iptcCaption, output);
    assert.deepEqual(tags['IPTC:Keywords'], m.iptcKeywords, output);
    assert.equal(tags['ICC_Profile:ProfileDescription'], 'sP3C', output);
    assert.equal(tags['IFD0:Orientation'], 1, output);
    assert.equal(tags['XMP-tiff:Orientation'], 1, output);
    assert.equal(tags['IFD0:XResolution'], 600, `${output}: twice the pixels at twice the resolution`);
    // 40x24 stored sideways: upright it is 24x40, restored at x2 48x80, red half on top.
    const { data, info } = await sharp(join(out, output)).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [48, 80], output);
    const pixel = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    assert.ok(pixel(24, 10)[0]! > 150 && pixel(24, 10)[2]! < 100, `${output}: red on top, got ${pixel(24, 10)}`);
    assert.ok(pixel(24, 70)[2]! > 150 && pixel(24, 70)[0]! < 100, `${output}: blue at the bottom, got ${pixel(24, 70)}`);
  }
  assert.deepEqual(done.get(join(input, 'pages.tif'))?.notes, ['first page of 3 restored']);
  assert.deepEqual(done.get(join(input, 'cmyk.jpg'))?.notes, ['CMYK colours converted to sRGB']);
  assert.equal(exiftoolJson(join(out, 'cmyk.jpg'))['ICC_Profile:ProfileDescription'], 'sRGB', 'a CMYK source is saved as tagged sRGB');
  assertOriginalsUnchanged();
});

test('a second run never overwrites: free names; --strip-metadata leaves everything out', async () => {
  const first = new Map((await fs.readdir(out)).map((n) => [n, sha256(join(out, n))]));
  const run = await runCli(['restore', join(input, 'rich.jpg'), join(input, 'rich.tif'), '--out', out, '--home', home, '--strip-metadata', ...FAST]);
  assert.equal(run.code, 0, run.stderr);
  const done = successes(run);
  assert.equal(done.get(join(input, 'rich.jpg'))?.output, join(out, 'rich (1).jpg'));
  assert.equal(done.get(join(input, 'rich.tif'))?.output, join(out, 'rich (1).tif'));
  for (const [name, sha] of first) assert.equal(sha256(join(out, name)), sha, `${name} from the first run is untouched`);
  for (const name of ['rich (1).jpg', 'rich (1).tif']) {
    const tags = exiftoolJson(join(out, name));
    for (const tag of ['IFD0:Make', 'ExifIFD:DateTimeOriginal', 'GPS:GPSLatitude', 'XMP-dc:Title', 'IPTC:Caption-Abstract', 'ICC_Profile:ProfileDescription']) assert.equal(tags[tag], undefined, `${name} has no ${tag}`);
    assert.deepEqual([(await sharp(join(out, name)).metadata()).width, (await sharp(join(out, name)).metadata()).height], [48, 80], `${name} is still upright`);
  }
  assertOriginalsUnchanged();
});

test('--overwrite replaces an existing file, but never an original (even in its own folder)', async () => {
  const original = join(input, 'rich.jpg');
  const run = await runCli(['restore', original, '--out', input, '--home', home, '--overwrite', ...FAST]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(successes(run).get(original)?.output, join(input, 'rich (1).jpg'));
  assertOriginalsUnchanged();
  await fs.rm(join(input, 'rich (1).jpg'));

  // A file that is not an original is replaced in place when the user asks for it.
  const elsewhere = join(root, 'overwrite-out');
  await fs.mkdir(elsewhere);
  await fs.writeFile(join(elsewhere, 'rich.jpg'), 'an older file the user wants replaced');
  const replaced = await runCli(['restore', original, '--out', elsewhere, '--home', home, '--overwrite', ...FAST]);
  assert.equal(replaced.code, 0, replaced.stderr);
  assert.equal(successes(replaced).get(original)?.output, join(elsewhere, 'rich.jpg'));
  assert.deepEqual(await fs.readdir(elsewhere), ['rich.jpg']);
  assert.equal((await sharp(join(elsewhere, 'rich.jpg')).metadata()).width, 48);
});

test('an output folder that cannot be created or written is refused before any work', async () => {
  const blocker = join(root, 'a-file');
  await fs.writeFile(blocker, 'not a folder');
  const readOnly = join(root, 'read-only');
  await fs.mkdir(readOnly);
  await fs.chmod(readOnly, 0o555);
  const [underFile, noWrite] = await Promise.all([
    runCli(['restore', input, '--out', join(blocker, 'out'), '--home', home, ...FAST]),
    // Unprivileged (root may write anywhere): a folder the user may not write into.
    runCli(['restore', input, '--out', join(readOnly, 'out'), '--home', join(root, 'home-nobody'), ...FAST], { unprivileged: true, env: { HOME: root } }),
  ]);
  for (const [run, folder] of [
    [underFile, join(blocker, 'out')],
    [noWrite, join(readOnly, 'out')],
  ] as const) {
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.events.length, 0, 'no job started, no photo touched');
    assert.equal(run.other[0]?.type, 'error');
    assert.equal(run.other[0]?.code, 'OUTPUT_NOT_WRITABLE');
    assert.match(String(run.other[0]?.message), new RegExp(`output folder ${folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be created or written.*Choose another folder or fix its permissions`));
  }
  assert.deepEqual(await fs.readdir(readOnly), []);
  if (mustDropPrivileges()) assert.equal(statSync(readOnly).uid, 0);
  assertOriginalsUnchanged();
});
