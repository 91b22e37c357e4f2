import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iptcRecords, jpegApp13Payload, parsePngRawProfile, photoshopResourceBlock, pngRawProfileText } from '../../../src/core/imaging/iptc-block.js';

/** IIM records: 2:120 caption and two 2:25 keywords (one of odd length, to exercise padding). */
function records(): Buffer {
  const record = (dataset: number, text: string) => {
    const data = Buffer.from(text, 'utf8');
    const head = Buffer.from([0x1c, 2, dataset, 0, 0]);
    head.writeUInt16BE(data.length, 3);
    return Buffer.concat([head, data]);
  };
  return Buffer.concat([record(120, 'Plage d’Étretat, 1962'), record(25, 'family'), record(25, 'sea')]);
}

test('JPEG APP13 (Photoshop resource block) round trip', () => {
  const payload = jpegApp13Payload(records());
  assert.equal(payload.subarray(0, 14).toString('latin1'), 'Photoshop 3.0\0');
  assert.deepEqual(iptcRecords(payload), records());
});

test('finds the IPTC resource among other Photoshop resources', () => {
  const other = Buffer.concat([Buffer.from('8BIM', 'latin1'), Buffer.from([0x03, 0xed, 3]), Buffer.from('abc', 'latin1'), Buffer.from([0, 0, 0, 3]), Buffer.from([1, 2, 3, 0])]);
  const block = Buffer.concat([Buffer.from('Photoshop 3.0\0', 'latin1'), other, photoshopResourceBlock(records())]);
  assert.deepEqual(iptcRecords(block), records());
  assert.equal(iptcRecords(Buffer.concat([Buffer.from('Photoshop 3.0\0', 'latin1'), other])), undefined);
});

test('PNG "Raw profile type iptc" text round trip (ExifTool / ImageMagick layout)', () => {
  const text = pngRawProfileText(records());
  assert.match(text, /^\nIPTC profile\n +\d+\n[0-9a-f\n]+$/);
  assert.ok(text.split('\n').every((line) => line.length <= 72));
  assert.deepEqual(iptcRecords(parsePngRawProfile(text)!), records());
  assert.equal(parsePngRawProfile('garbage'), undefined);
});

test('TIFF padding after the records is not a record', () => {
  assert.deepEqual(iptcRecords(Buffer.concat([records(), Buffer.alloc(3)])), records());
});
