import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clampZoom, MAX_ZOOM, nextZoomStep, zoomAround } from '../../src/renderer/compare-zoom.js';

describe('compare zoom', () => {
  it('stays between fit and 800 %', () => {
    assert.equal(clampZoom(20, 0.3), MAX_ZOOM);
    assert.equal(clampZoom(0.1, 0.3), 0.3);
    assert.equal(clampZoom(2, 0.3), 2);
    // A small result whose fit is above 100 %: it can still be seen at 100 %, not smaller.
    assert.equal(clampZoom(1, 2.2), 1);
    assert.equal(clampZoom(0.5, 2.2), 1);
    // So small that fit is above 800 %: up to fit.
    assert.equal(clampZoom(20, 10), 10);
  });

  it('steps up and down through the steps, and never below fit', () => {
    assert.equal(nextZoomStep(0.3, 0.3, 1), 0.5);
    assert.equal(nextZoomStep(1, 0.3, 1), 2);
    assert.equal(nextZoomStep(4, 0.3, 1), 8);
    assert.equal(nextZoomStep(8, 0.3, 1), 8);
    assert.equal(nextZoomStep(1, 0.3, -1), 0.5);
    assert.equal(nextZoomStep(0.5, 0.3, -1), 0.3);
    assert.equal(nextZoomStep(2.2, 2.2, -1), 2);
    assert.equal(nextZoomStep(1, 2.2, -1), 1);
  });

  it('keeps the image point under the pointer where it is', () => {
    const pan = { x: -100, y: -40 };
    const anchor = { x: 300, y: 200 };
    const from = 1;
    const to = 4;
    const imagePoint = { x: (anchor.x - pan.x) / from, y: (anchor.y - pan.y) / from };
    const next = zoomAround(pan, anchor, from, to);
    assert.deepEqual({ x: next.x + imagePoint.x * to, y: next.y + imagePoint.y * to }, anchor);
  });
});
