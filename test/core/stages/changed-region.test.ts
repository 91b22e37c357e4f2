import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRegionTiles } from '../../../src/core/inference/region-tiles.js';
import { changedRects, growRect, mergeRects } from '../../../src/core/stages/changed-region.js';

const image = (width: number, height: number, marks: Array<[number, number]> = []) => {
  const data = new Uint8Array(width * height * 3).fill(40);
  for (const [x, y] of marks) data[(y * width + x) * 3 + 1] = 200;
  return { width, height, stride: 3, data, maxValue: 255 };
};

test('changedRects: the bounding box of each cluster of changed pixels; none for equal images', () => {
  assert.deepEqual(changedRects(image(100, 80), image(100, 80)), []);
  const rects = changedRects(image(100, 80), image(100, 80, [[3, 4], [10, 9], [90, 70], [95, 75]]));
  assert.deepEqual(rects, [{ x: 3, y: 4, width: 8, height: 6 }, { x: 90, y: 70, width: 6, height: 6 }]);
});

test('growRect stays inside the photo; mergeRects leaves no two rectangles overlapping', () => {
  assert.deepEqual(growRect({ x: 3, y: 4, width: 8, height: 6 }, 12, 100, 80), { x: 0, y: 0, width: 23, height: 22 });
  const merged = mergeRects([{ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 5, width: 10, height: 10 }, { x: 50, y: 50, width: 5, height: 5 }]);
  assert.deepEqual(merged, [{ x: 0, y: 0, width: 15, height: 15 }, { x: 50, y: 50, width: 5, height: 5 }]);
});

test('planRegionTiles: owned tiles cover exactly the rectangles, with context where the photo continues and none past its border', () => {
  const rects = [{ x: 0, y: 0, width: 70, height: 20 }, { x: 40, y: 50, width: 30, height: 30 }];
  const plan = planRegionTiles(100, 80, rects, 32, 8);
  const covered = new Uint8Array(100 * 80);
  for (const t of plan.tiles) {
    for (let y = t.owned.y; y < t.owned.y + t.owned.height; y++) for (let x = t.owned.x; x < t.owned.x + t.owned.width; x++) covered[y * 100 + x]!++;
    assert.ok(t.input.x >= 0 && t.input.y >= 0 && t.input.x + t.input.width <= 100 && t.input.y + t.input.height <= 80, 'inside the photo');
    assert.equal(t.owned.x - t.input.x, Math.min(8, t.owned.x));
    assert.equal(t.input.y + t.input.height - (t.owned.y + t.owned.height), Math.min(8, 80 - (t.owned.y + t.owned.height)));
    assert.ok(t.owned.width <= 32 && t.owned.height <= 32);
  }
  for (let y = 0; y < 80; y++) for (let x = 0; x < 100; x++) {
    const inside = rects.some((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height);
    assert.equal(covered[y * 100 + x], inside ? 1 : 0, `${x},${y}`);
  }
});
