import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { INVOKE_CHANNELS, type InvokeHandlers } from '../../../src/shared/contract.js';
import { HeirloomError } from '../../../src/shared/errors.js';
import { createInvokeDispatcher } from '../../../src/core/studio/invoke-dispatcher.js';
import { malformedPayloads, VALID_REQUESTS } from '../../shared/payload-fuzzer.js';

/** Handlers that record calls; the dispatcher must never reach them with a bad payload. */
function spyHandlers(): { handlers: InvokeHandlers; calls: string[] } {
  const calls: string[] = [];
  const handlers = Object.fromEntries(
    INVOKE_CHANNELS.map((channel) => [
      channel,
      async (request: unknown) => {
        calls.push(channel);
        if ((request as { queueId?: string }).queueId === 'q-explode') throw new HeirloomError('NOT_FOUND', 'No such job.');
        if ((request as { jobId?: string }).jobId === 'job-crash') throw new TypeError('boom');
        return { echoed: request };
      },
    ]),
  ) as unknown as InvokeHandlers;
  return { handlers, calls };
}

describe('invoke dispatcher', () => {
  it('rejects 1440 seeded malformed payloads (every channel) with INVALID_PAYLOAD, without calling core, and keeps serving', async () => {
    const { handlers, calls } = spyHandlers();
    const dispatch = createInvokeDispatcher(handlers);
    const payloads = malformedPayloads(20260101, 60, true);
    assert.ok(payloads.length >= 1000, `${payloads.length} payloads`);
    const perChannel = new Map<string, number>();
    for (const { channel, payload } of payloads) {
      const result = await dispatch(channel, payload);
      if (result.ok) assert.fail(`${channel} accepted a malformed payload: ${String(payload)}`);
      else {
        assert.equal(result.error.code, 'INVALID_PAYLOAD');
        assert.match(result.error.message, new RegExp(`^The request for ${channel} is not valid`));
        assert.ok(result.error.message.length < 2000, 'the message stays short whatever was sent');
      }
      perChannel.set(channel, (perChannel.get(channel) ?? 0) + 1);
    }
    assert.equal(perChannel.size, INVOKE_CHANNELS.length, 'every channel was fuzzed');
    assert.deepEqual(calls, [], 'no handler ran');
    // Still serving: every valid request goes through.
    for (const channel of INVOKE_CHANNELS) assert.equal((await dispatch(channel, VALID_REQUESTS[channel])).ok, true, channel);
    assert.equal(calls.length, INVOKE_CHANNELS.length);
  });

  it('rejects unknown channels, whatever their type, without echoing them back in full', async () => {
    const dispatch = createInvokeDispatcher(spyHandlers().handlers);
    for (const channel of ['jobs:delete-everything', '', '__proto__', 'toString', 42, null, undefined, { channel: 'jobs:start' }, 'x'.repeat(10_000)]) {
      const result = await dispatch(channel, {});
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.error.code, 'INVALID_PAYLOAD');
        assert.ok(result.error.message.length < 300);
      }
    }
  });

  it('turns handler errors into error results: HeirloomError keeps its code, anything else is INTERNAL', async () => {
    const dispatch = createInvokeDispatcher(spyHandlers().handlers);
    const known = await dispatch('jobs:cancel', { queueId: 'q-explode' });
    assert.deepEqual(known, { ok: false, error: { code: 'NOT_FOUND', message: 'No such job.' } });
    const unknown = await dispatch('jobs:rerun', { jobId: 'job-crash' });
    assert.equal(unknown.ok, false);
    if (!unknown.ok) {
      assert.equal(unknown.error.code, 'INTERNAL');
      assert.equal(unknown.error.cause, 'boom');
    }
  });

  it('hands handlers the parsed request (defaults applied, nothing extra)', async () => {
    const dispatch = createInvokeDispatcher(spyHandlers().handlers);
    const result = await dispatch('watch:add', { path: '/in', outDir: '/out', preset: { modelId: 'm' } });
    assert.deepEqual(result, { ok: true, value: { echoed: { path: '/in', outDir: '/out', preset: { modelId: 'm', faces: false, format: 'keep' } } } });
  });
});
