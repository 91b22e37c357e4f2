import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TAG, TYPE, bufferSource, readIfd, readTiffHeader, writeIfd, type Ifd } from '../../../src/core/imaging/tiff-ifd.js';
import { exifForOutput, parseExifBlock, serialiseExif } from '../../../src/core/imaging/exif-block.js';

/** A big-endian EXIF block as a camera writes it: IFD0 (Make, Orientation, XResolution) -> EXIF IFD (date, exposure). */
function bigEndianExif(): Buffer {
  const b = Buffer.alloc(200);
  b.write('MM', 0, 'latin1');
  b.writeUInt16BE(42, 2);
  b.writeUInt32BE(8, 4);
  // IFD0 at 8: 4 entries
  let o = 8;
  b.writeUInt16BE(4, o);
  const entry = (at: number, tag: number, type: number, count: number, value: (v: Buffer, at: number) => void) => {
    b.writeUInt16BE(tag, at);
    b.writeUInt16BE(type, at + 2);
    b.writeUInt32BE(count, at + 4);
    value(b, at + 8);
  };
  o += 2;
  entry(o, 0x010f, TYPE.ascii, 6, (v, at) => v.writeUInt32BE(100, at)); // Make -> 100
  entry(o + 12, TAG.orientation, TYPE.short, 1, (v, at) => v.writeUInt16BE(6, at));
  entry(o + 24, TAG.xResolution, TYPE.rational, 1, (v, at) => v.writeUInt32BE(108, at)); // -> 108
  entry(o + 36, TAG.exifIfd, TYPE.long, 1, (v, at) => v.writeUInt32BE(120, at));
  b.writeUInt32BE(0, o + 48); // no IFD1
  b.write('Nikon\0', 100, 'latin1');
  b.writeUInt32BE(300, 108);
  b.writeUInt32BE(1, 112);
  // EXIF IFD at 120: 2 entries
  b.writeUInt16BE(2, 120);
  entry(122, 0x9003, TYPE.ascii, 20, (v, at) => v.writeUInt32BE(160, at));
  entry(134, 0x829a, TYPE.rational, 1, (v, at) => v.writeUInt32BE(180, at));
  b.writeUInt32BE(0, 146);
  b.write('1962:07:14 10:30:00\0', 160, 'latin1');
  b.writeUInt32BE(1, 180);
  b.writeUInt32BE(125, 184);
  return b;
}

test('reads a big-endian directory into little-endian values, with its sub-directory', async () => {
  const source = bufferSource(bigEndianExif());
  const header = await readTiffHeader(source);
  assert.deepEqual(header, { littleEndian: false, firstIfd: 8 });
  const { ifd, next } = await readIfd(source, header, header.firstIfd);
  assert.equal(next, 0);
  const byTag = new Map(ifd.entries.map((e) => [e.tag, e]));
  assert.equal(byTag.get(0x010f)!.data.toString('latin1'), 'Nikon\0');
  assert.equal(byTag.get(TAG.orientation)!.data.readUInt16LE(0), 6);
  assert.deepEqual([byTag.get(TAG.xResolution)!.data.readUInt32LE(0), byTag.get(TAG.xResolution)!.data.readUInt32LE(4)], [300, 1]);
  const exif = ifd.children.get(TAG.exifIfd)!;
  const exposure = exif.entries.find((e) => e.tag === 0x829a)!;
  assert.deepEqual([exposure.data.readUInt32LE(0), exposure.data.readUInt32LE(4)], [1, 125]);
});

test('written directories read back identically, wherever they are placed', async () => {
  const { ifd } = await readIfd(bufferSource(bigEndianExif()), { littleEndian: false, firstIfd: 8 }, 8);
  for (const at of [8, 1001]) {
    const bytes = Buffer.concat([Buffer.from('II*\0', 'latin1'), Buffer.alloc(4), Buffer.alloc(at - 8), writeIfd(ifd, at)]);
    bytes.writeUInt32LE(at, 4);
    const source = bufferSource(bytes);
    const back = (await readIfd(source, await readTiffHeader(source), at)).ifd;
    const flat = (d: Ifd): unknown => ({ entries: [...d.entries].sort((a, b) => a.tag - b.tag).map((e) => [e.tag, e.type, e.count, e.data.toString('hex')]), children: [...d.children].map(([t, c]) => [t, flat(c)]) });
    assert.deepEqual(flat(back), flat(ifd), `at ${at}`);
  }
});

test('the output EXIF has orientation 1, no thumbnail directory, the new size and resolution', async () => {
  const parsed = await parseExifBlock(bigEndianExif());
  assert.equal(parsed.density, 300);
  const out = exifForOutput(parsed.ifd0!, { width: 800, height: 600, density: 1200, container: 'jpeg' });
  const blob = serialiseExif(out);
  const source = bufferSource(blob);
  const header = await readTiffHeader(source);
  assert.equal(header.littleEndian, true);
  const { ifd, next } = await readIfd(source, header, header.firstIfd);
  assert.equal(next, 0, 'no IFD1 (thumbnail)');
  const number = (d: Ifd, tag: number) => d.entries.find((e) => e.tag === tag)?.data.readUInt32LE(0) ?? d.entries.find((e) => e.tag === tag)?.data.readUInt16LE(0);
  assert.equal(ifd.entries.find((e) => e.tag === TAG.orientation)!.data.readUInt16LE(0), 1);
  assert.equal(number(ifd, TAG.xResolution), 1200);
  const exif = ifd.children.get(TAG.exifIfd)!;
  assert.equal(number(exif, TAG.pixelXDimension), 800);
  assert.equal(number(exif, TAG.pixelYDimension), 600);
  assert.equal(exif.entries.find((e) => e.tag === 0x9003)!.data.toString('latin1'), '1962:07:14 10:30:00\0');
});

test('damaged structures cost only the damaged part: loops, offsets past the end, absurd counts', async () => {
  const looped = bigEndianExif();
  // The EXIF IFD's first entry becomes a pointer back to the EXIF IFD itself.
  looped.writeUInt16BE(TAG.exifIfd, 122);
  looped.writeUInt16BE(TYPE.long, 124);
  looped.writeUInt32BE(1, 126);
  looped.writeUInt32BE(120, 130);
  const source = bufferSource(looped);
  const { ifd } = await readIfd(source, await readTiffHeader(source), 8);
  assert.ok(ifd.entries.some((e) => e.tag === 0x010f), 'IFD0 still read');
  const exif = ifd.children.get(TAG.exifIfd)!;
  assert.ok(exif.entries.some((e) => e.tag === 0x829a), 'the EXIF IFD still read');
  assert.equal(exif.children.size, 0, 'the loop is not followed');

  const pastEnd = bigEndianExif();
  pastEnd.writeUInt32BE(5000, 8 + 2 + 8); // Make's value offset beyond the block
  const s2 = bufferSource(pastEnd);
  const r2 = (await readIfd(s2, await readTiffHeader(s2), 8)).ifd;
  assert.ok(!r2.entries.some((e) => e.tag === 0x010f), 'Make skipped');
  assert.ok(r2.entries.some((e) => e.tag === TAG.orientation), 'the rest kept');

  const absurd = bigEndianExif();
  absurd.writeUInt16BE(60000, 8);
  const s3 = bufferSource(absurd);
  await assert.rejects(readIfd(s3, await readTiffHeader(s3), 8));
  await assert.rejects(readTiffHeader(bufferSource(Buffer.from('not a tiff at all'))));
});
