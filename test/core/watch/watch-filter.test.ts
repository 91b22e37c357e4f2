import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatchFilter } from '../../../src/core/watch/watch-filter.js';

test('hidden files and folders, temporary outputs and the output folder inside the watched one are excluded', () => {
  const filter = new WatchFilter('/scans', '/scans/restored');
  assert.equal(filter.isExcluded('/scans'), false, 'the root itself');
  assert.equal(filter.isExcluded('/scans/a.png'), false);
  assert.equal(filter.isExcluded('/scans/2024/a.jpg'), false);
  assert.equal(filter.isExcluded('/scans/restored'), true);
  assert.equal(filter.isExcluded('/scans/restored/a.png'), true);
  assert.equal(filter.isExcluded('/scans/restored-old/a.png'), false, 'a sibling that only starts like the output folder');
  assert.equal(filter.isExcluded('/scans/.a.png.1a2b3c4d.heirloom-tmp'), true);
  assert.equal(filter.isExcluded('/scans/sub/a.png.heirloom-tmp'), true);
  assert.equal(filter.isExcluded('/scans/.DS_Store'), true);
  assert.equal(filter.isExcluded('/scans/.thumbnails/a.png'), true);
  assert.equal(filter.isPhoto('/scans/a.JPG'), true);
  assert.equal(filter.isPhoto('/scans/notes.txt'), false);
});

test('a watched folder that is itself hidden is still watched', () => {
  const filter = new WatchFilter('/home/me/.scans', '/home/me/restored');
  assert.equal(filter.isExcluded('/home/me/.scans/a.png'), false);
  assert.equal(filter.isExcluded('/home/me/.scans/.hidden.png'), true);
});
