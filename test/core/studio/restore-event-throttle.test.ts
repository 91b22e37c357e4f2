import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProgressEvent, RestoreEvent } from '../../../src/shared/events.js';
import { ChangeCoalescer, RestoreEventThrottle } from '../../../src/core/studio/restore-event-throttle.js';
import { FakeClock } from './fake-clock.js';

const progress = (file: string, tile: number): ProgressEvent => ({ type: 'progress', jobId: 'j', file, stage: 'inferring', value: tile / 100, tile, tiles: 100, batchSize: 2, recommendedBatch: 4, tileSize: 128, device: 'cpu' });

describe('RestoreEventThrottle', () => {
  it('sends at most one progress update per interval per photo, always the latest', () => {
    const clock = new FakeClock();
    const sent: RestoreEvent[] = [];
    const throttle = new RestoreEventThrottle((e) => sent.push(e), 100, clock);
    // 1000 updates over one second, one per millisecond.
    for (let i = 1; i <= 1000; i++) {
      throttle.push(progress('/a.jpg', i % 100));
      clock.advance(1);
    }
    clock.advance(200);
    assert.ok(sent.length >= 9 && sent.length <= 11, `about 10 a second, got ${sent.length}`);
    assert.equal((sent.at(-1) as ProgressEvent).tile, 1000 % 100, 'the last update is never lost');
    assert.equal(clock.pending, 0);
  });

  it('never drops or delays file-done, file-failed and job-finished, and keeps their order after pending progress', () => {
    const clock = new FakeClock();
    const sent: RestoreEvent[] = [];
    const throttle = new RestoreEventThrottle((e) => sent.push(e), 100, clock);
    throttle.push(progress('/a.jpg', 1)); // sent at once (first)
    throttle.push(progress('/a.jpg', 2)); // pending
    throttle.push(progress('/b.jpg', 5)); // pending, another photo
    throttle.push({ type: 'file-done', jobId: 'j', file: '/a.jpg', output: '/out/a.png', width: 4, height: 4, ms: 1 });
    throttle.push({ type: 'file-failed', jobId: 'j', file: '/c.jpg', code: 'DECODE_FAILED', message: 'bad' });
    throttle.push({ type: 'job-finished', jobId: 'j', succeeded: 1, failed: 1, skipped: 0, cancelled: false, ms: 5 });
    assert.deepEqual(
      sent.map((e) => (e.type === 'progress' ? `progress ${e.file} ${e.tile}` : e.type)),
      ['progress /a.jpg 1', 'progress /a.jpg 2', 'progress /b.jpg 5', 'file-done', 'file-failed', 'job-finished'],
    );
    assert.equal(clock.pending, 0, 'no timer left behind');
  });
});

describe('ChangeCoalescer', () => {
  it('fires at once, then at most once per interval, and always fires after the last change', () => {
    const clock = new FakeClock();
    let fired = 0;
    const coalescer = new ChangeCoalescer(() => fired++, 100, clock);
    coalescer.changed();
    assert.equal(fired, 1);
    for (let i = 0; i < 50; i++) {
      coalescer.changed();
      clock.advance(10);
    }
    clock.advance(100);
    assert.ok(fired >= 5 && fired <= 7, `got ${fired}`);
    const before = fired;
    coalescer.changed();
    clock.advance(100);
    assert.equal(fired, before + 1);
  });
});
