import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stopOnSignals } from '../../src/cli/stop-signals.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the first SIGTERM asks the work to stop and ends the process after the grace period if it hangs', async () => {
  const exits: number[] = [];
  const lines: string[] = [];
  let stops = 0;
  const stop = stopOnSignals({ onStop: () => stops++, message: 'Stopping...', graceMs: 60, exit: (code) => exits.push(code), write: (l) => lines.push(l) });
  try {
    process.emit('SIGTERM', 'SIGTERM');
    assert.equal(await stop.stopped, 'SIGTERM');
    assert.equal(stops, 1);
    assert.equal(stop.requested, true);
    assert.deepEqual(exits, [], 'the work gets its grace period');
    await wait(120);
    assert.deepEqual(exits, [1], 'then the process ends, whatever hangs');
    assert.match(lines.join(''), /Stopping\.\.\.[\s\S]*Did not stop within/);
  } finally {
    stop.dispose();
  }
});

test('a second Ctrl+C ends the process at once; a finished stop ends it with the exit code set', async () => {
  const exits: number[] = [];
  const before = process.listenerCount('SIGINT');
  const stop = stopOnSignals({ onStop: () => undefined, graceMs: 10_000, exit: (code) => exits.push(code), write: () => undefined });
  process.emit('SIGINT', 'SIGINT');
  process.emit('SIGINT', 'SIGINT');
  assert.deepEqual(exits, [1]);
  const previous = process.exitCode;
  process.exitCode = 0;
  stop.dispose();
  await wait(300);
  assert.deepEqual(exits, [1, 0], 'disposed after a stop: a hung call cannot keep the process alive');
  process.exitCode = previous;
  assert.equal(process.listenerCount('SIGINT'), before, 'no longer listening');
});
