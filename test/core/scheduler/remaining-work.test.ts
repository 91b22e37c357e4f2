import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remainingWorkPixels } from '../../../src/core/scheduler/remaining-work.js';

test('photos not decoded yet count with their header size, never as zero', () => {
  // The case: the first photo is being decoded, nothing is queued yet, three more wait.
  assert.equal(remainingWorkPixels({ queuedTilePixels: 0, waitingPhotos: [1000, 1000, 1000, 1000], decoded: [] }), 4000);
  assert.equal(remainingWorkPixels({ queuedTilePixels: 500, waitingPhotos: [2000], decoded: [] }), 2500);
});

test('a photo whose header could not be read counts as the average of those known, else of those decoded', () => {
  assert.equal(remainingWorkPixels({ queuedTilePixels: 0, waitingPhotos: [1000, undefined, 3000], decoded: [] }), 6000);
  assert.equal(remainingWorkPixels({ queuedTilePixels: 100, waitingPhotos: [undefined, undefined], decoded: [{ imagePixels: 400, workPixels: 400 }, { imagePixels: 800, workPixels: 800 }] }), 100 + 2 * 600);
  assert.equal(remainingWorkPixels({ queuedTilePixels: 0, waitingPhotos: [undefined], decoded: [] }), undefined, 'no basis at all: no ETA rather than a wrong one');
});

test('waiting photos are scaled by the overlap of the tiles seen so far (the units the throughput is measured in)', () => {
  assert.equal(remainingWorkPixels({ queuedTilePixels: 0, waitingPhotos: [1000], decoded: [{ imagePixels: 1000, workPixels: 1500 }] }), 1500);
});
