import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { plainError } from '../../src/renderer/error-hints.js';

describe('errors in plain words', () => {
  it('moves the technical cause to the detail line and gives advice once', () => {
    const plain = plainError({
      code: 'TRUNCATED',
      message: '/scans/torn.jpg is damaged or incomplete (Input file has corrupt header: VipsJpeg: premature end of JPEG image). Copy it again from the original source (card, scanner or backup).',
    });
    assert.equal(plain.message, '/scans/torn.jpg is damaged or incomplete. Copy it again from the original source (card, scanner or backup).');
    assert.equal(plain.advice, undefined, 'the message already says to copy it again');
    assert.equal(plain.detail, 'TRUNCATED · Input file has corrupt header: VipsJpeg: premature end of JPEG image');
  });

  it('adds the advice when the message does not give it', () => {
    const plain = plainError({ code: 'NOT_FOUND', message: '/scans/gone.png does not exist.' });
    assert.match(plain.advice ?? '', /moved, renamed/);
    assert.equal(plain.detail, 'NOT_FOUND');
  });
});
