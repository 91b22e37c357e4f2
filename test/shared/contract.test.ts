import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_CHANNELS, EVENT_METHODS, INVOKE, INVOKE_CHANNELS, INVOKE_METHODS, isInvokeChannel } from '../../src/shared/contract.js';
import { buildContractApi } from '../../src/shared/contract-client.js';
import { malformedPayloads, VALID_REQUESTS } from './payload-fuzzer.js';

describe('contract', () => {
  it('names every channel domain:verb and maps each to one distinct API method', () => {
    const names = [...INVOKE_CHANNELS, ...EVENT_CHANNELS];
    for (const channel of names) assert.match(channel, /^[a-z-]+:[a-z-]+$/, channel);
    const methods = [...Object.values(INVOKE_METHODS), ...Object.values(EVENT_METHODS)];
    assert.equal(new Set(methods).size, methods.length, 'method names are unique');
    assert.deepEqual(Object.keys(INVOKE).sort(), [...INVOKE_CHANNELS].sort());
    for (const required of ['jobs:start', 'jobs:cancel', 'jobs:pause', 'jobs:resume', 'jobs:history', 'jobs:rerun', 'models:list', 'devices:list', 'settings:get', 'settings:set', 'app-settings:get', 'app-settings:set', 'watch:list', 'watch:add', 'watch:pause', 'watch:resume', 'watch:remove', 'files:inspect', 'dialogs:open-photos', 'shell:open-path']) {
      assert.ok(isInvokeChannel(required), required);
    }
    for (const event of ['jobs:event', 'devices:changed', 'watch:event']) assert.ok((EVENT_CHANNELS as string[]).includes(event), event);
  });

  it('accepts the valid example of every channel', () => {
    for (const channel of INVOKE_CHANNELS) {
      const parsed = INVOKE[channel].request.safeParse(VALID_REQUESTS[channel]);
      assert.ok(parsed.success, `${channel}: ${parsed.success ? '' : parsed.error.message}`);
    }
  });

  it('rejects unknown keys, relative-looking garbage, NUL in paths and out-of-range numbers', () => {
    const start = INVOKE['jobs:start'].request;
    assert.equal(start.safeParse({ ...VALID_REQUESTS['jobs:start'], shell: 'rm -rf /' }).success, false);
    assert.equal(start.safeParse({ ...VALID_REQUESTS['jobs:start'], inputs: ['/a\u0000b.jpg'] }).success, false);
    assert.equal(start.safeParse({ ...VALID_REQUESTS['jobs:start'], inputs: [] }).success, false);
    assert.equal(start.safeParse({ ...VALID_REQUESTS['jobs:start'], batch: 65 }).success, false);
    assert.equal(start.safeParse({ ...VALID_REQUESTS['jobs:start'], tile: 'big' }).success, false);
    assert.equal(INVOKE['settings:set'].request.safeParse({ deviceId: 'cpu', settings: { maxBatch: 0 } }).success, false);
    assert.equal(INVOKE['settings:set'].request.safeParse({ deviceId: 'cpu', settings: { colour: 'red' } }).success, false);
    assert.equal(INVOKE['jobs:queue'].request.safeParse(undefined).success, false);
    assert.equal(INVOKE['jobs:queue'].request.safeParse([]).success, false);
  });

  it('the fuzzer yields only payloads the schemas reject, deterministically per seed', () => {
    const a = malformedPayloads(7, 20);
    const b = malformedPayloads(7, 20);
    assert.equal(a.length, INVOKE_CHANNELS.length * 20);
    assert.deepEqual(
      a.map((p) => JSON.stringify(p.payload) ?? 'undefined'),
      b.map((p) => JSON.stringify(p.payload) ?? 'undefined'),
    );
    for (const { channel, payload } of a) assert.equal(INVOKE[channel].request.safeParse(payload).success, false);
  });

  it('buildContractApi gives one function per entry with its channel fixed, and no generic send', async () => {
    const calls: Array<[string, unknown]> = [];
    const subscriptions: string[] = [];
    const api = buildContractApi({
      invoke: async (channel, payload) => {
        calls.push([channel, payload]);
        return { ok: true, value: channel };
      },
      subscribe: (channel) => {
        subscriptions.push(channel);
        return () => {};
      },
    });
    assert.deepEqual(Object.keys(api).sort(), [...Object.values(INVOKE_METHODS), ...Object.values(EVENT_METHODS)].sort());
    assert.equal((api as unknown as Record<string, unknown>).send, undefined);
    assert.equal((api as unknown as Record<string, unknown>).invoke, undefined);
    assert.deepEqual(await api.startJob({ inputs: ['/a.jpg'] }), { ok: true, value: 'jobs:start' });
    await api.getQueue();
    assert.deepEqual(calls, [
      ['jobs:start', { inputs: ['/a.jpg'] }],
      ['jobs:queue', {}],
    ]);
    api.onJobEvent(() => {});
    assert.deepEqual(subscriptions, ['jobs:event']);
    assert.throws(() => (api.onJobEvent as unknown as (x: unknown) => void)('not a function'), TypeError);
    assert.ok(Object.isFrozen(api));
  });
});
