import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { HostCpuTurns, turnsForLanes } from '../../../src/core/scheduler/host-cpu-turns.js';

async function overlapOf(turns: HostCpuTurns): Promise<{ most: number; order: string[] }> {
  let active = 0;
  let most = 0;
  const order: string[] = [];
  const work = (name: string, ms: number) => async () => {
    active++;
    most = Math.max(most, active);
    order.push(name);
    await sleep(ms);
    active--;
    return name;
  };
  const results = await Promise.all([turns.take('infer', work('a', 30)), turns.take('encode', work('b', 5)), turns.take('decode', work('c', 1))]);
  assert.deepEqual(results, ['a', 'b', 'c']);
  return { most, order };
}

test('with turns on, work runs one piece at a time, first come first served', async () => {
  const { most, order } = await overlapOf(new HostCpuTurns(true));
  assert.equal(most, 1);
  assert.deepEqual(order, ['a', 'b', 'c']);
});

test('with turns off, work overlaps', async () => {
  const { most } = await overlapOf(new HostCpuTurns(false));
  assert.equal(most, 3);
});

test('a failing piece of work passes its turn on', async () => {
  const turns = new HostCpuTurns(true);
  const failing = turns.take('decode', async () => {
    throw new Error('bad photo');
  });
  const next = turns.take('infer', async () => 'ran');
  await assert.rejects(failing, /bad photo/);
  assert.equal(await next, 'ran');
});

test('turns are on only when every device is the host CPU', () => {
  assert.equal(turnsForLanes([{ sharesHostCpu: true }]).enabled, true);
  assert.equal(turnsForLanes([{ sharesHostCpu: true }, { sharesHostCpu: false }]).enabled, false);
  assert.equal(turnsForLanes([{ sharesHostCpu: false }]).enabled, false);
  assert.equal(turnsForLanes([{}]).enabled, false);
  assert.equal(turnsForLanes([]).enabled, false);
});
