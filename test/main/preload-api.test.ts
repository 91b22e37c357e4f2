import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_METHODS, INVOKE_METHODS } from '../../src/shared/contract.js';
import { createPreloadApi, type IpcRendererLike } from '../../src/preload/preload-api.js';
import { StudioEvents } from '../../src/core/studio/studio-events.js';
import { forwardStudioEvents } from '../../src/main/event-bridge.js';
import type { RestoreEvent } from '../../src/shared/events.js';

class FakeIpcRenderer implements IpcRendererLike {
  readonly invoked: Array<[string, unknown]> = [];
  readonly listeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
  async invoke(channel: string, payload: unknown) {
    this.invoked.push([channel, payload]);
    return { ok: true, value: channel };
  }
  on(channel: string, listener: (event: unknown, payload: unknown) => void) {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
  }
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void) {
    this.listeners.get(channel)?.delete(listener);
  }
  emit(channel: string, payload: unknown) {
    for (const listener of this.listeners.get(channel) ?? []) listener({ sender: 'main' }, payload);
  }
}

describe('preload API', () => {
  it('exposes one function per contract entry and the host helpers, nothing generic', async () => {
    const ipc = new FakeIpcRenderer();
    const api = createPreloadApi(ipc, { getPathForFile: () => '' });
    assert.deepEqual(Object.keys(api).sort(), [...Object.values(INVOKE_METHODS), ...Object.values(EVENT_METHODS), 'host', 'importFiles'].sort());
    assert.equal(api.host, 'electron');
    await api.cancelJob({ queueId: 'q-1' });
    await api.listModels();
    assert.deepEqual(ipc.invoked, [
      ['jobs:cancel', { queueId: 'q-1' }],
      ['models:list', {}],
    ]);
  });

  it('subscribes to events and unsubscribes, without leaking the IPC event object', () => {
    const ipc = new FakeIpcRenderer();
    const api = createPreloadApi(ipc, { getPathForFile: () => '' });
    const received: unknown[] = [];
    const off = api.onJobEvent((e) => received.push(e));
    ipc.emit('jobs:event', { type: 'warning', code: 'X', message: 'm' });
    off();
    ipc.emit('jobs:event', { type: 'warning', code: 'Y', message: 'n' });
    assert.deepEqual(received, [{ type: 'warning', code: 'X', message: 'm' }]);
    assert.equal(ipc.listeners.get('jobs:event')!.size, 0);
  });

  it('turns dropped files into their real paths; files not on disk are reported', async () => {
    const api = createPreloadApi(new FakeIpcRenderer(), { getPathForFile: (file: never) => ((file as { name: string }).name === 'a.jpg' ? '/photos/a.jpg' : '') });
    const result = await api.importFiles([
      { name: 'a.jpg', size: 1 },
      { name: 'pasted.png', size: 1 },
    ]);
    assert.deepEqual(result.paths, ['/photos/a.jpg']);
    assert.equal(result.failed[0]!.name, 'pasted.png');
    assert.equal(result.failed[0]!.error.code, 'NOT_FOUND');
  });
});

describe('event bridge (main -> window)', () => {
  it('forwards every studio event to a live window and drops them for a destroyed one', () => {
    const events = new StudioEvents();
    const sent: Array<[string, unknown]> = [];
    let destroyed = false;
    const stop = forwardStudioEvents(events, () => ({ isDestroyed: () => destroyed, send: (channel, payload) => sent.push([channel, payload]) }));
    const warning: RestoreEvent = { type: 'warning', code: 'TUNING', message: 'hello' };
    events.emit('jobs:event', warning);
    events.emit('devices:changed', []);
    destroyed = true;
    events.emit('jobs:event', warning);
    stop();
    destroyed = false;
    events.emit('jobs:event', warning);
    assert.deepEqual(sent, [
      ['jobs:event', warning],
      ['devices:changed', []],
    ]);
  });
});
