import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INVOKE_CHANNELS } from '../../src/shared/contract.js';
import type { Result } from '../../src/shared/result.js';
import { StudioRuntime } from '../../src/core/studio/studio-runtime.js';
import { isTrustedSender, registerIpc, type InvokeSender, type IpcMainLike } from '../../src/main/register-ipc.js';
import { APP_ENTRY_URL, electronImageUrl } from '../../src/main/app-protocol.js';
import { malformedPayloads } from '../shared/payload-fuzzer.js';

/** ipcMain as Electron's invoke sees it: payloads arrive structured-cloned. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: InvokeSender, payload: unknown) => Promise<Result<unknown>>>();
  handle(channel: string, listener: (event: InvokeSender, payload: unknown) => Promise<Result<unknown>>) {
    assert.ok(!this.handlers.has(channel), `${channel} registered twice`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  invoke(channel: string, payload: unknown, sender: InvokeSender = WINDOW): Promise<Result<unknown>> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(sender, structuredClone(payload));
  }
}

const WINDOW_ID = 7;
const WINDOW: InvokeSender = { sender: { id: WINDOW_ID }, senderFrame: { url: APP_ENTRY_URL, parent: null } };
const repo = fileURLToPath(new URL('../../', import.meta.url));

describe('registerIpc over the real studio', () => {
  let home: string;
  let runtime: StudioRuntime;
  const ipc = new FakeIpcMain();
  let unregister: () => void;

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'heirloom-ipc-'));
    runtime = new StudioRuntime({ home, bundledModelsDir: join(repo, 'models'), host: 'electron', version: 'test', imageUrl: electronImageUrl });
    unregister = registerIpc(ipc, runtime.studio.dispatch, (event) => isTrustedSender(event, WINDOW_ID));
  });

  after(async () => {
    await runtime.dispose();
    rmSync(home, { recursive: true, force: true });
  });

  it('registers exactly one handler per contract channel', () => {
    assert.deepEqual([...ipc.handlers.keys()].sort(), [...INVOKE_CHANNELS].sort());
  });

  it('serves the studio window', async () => {
    const info = await ipc.invoke('app:info', {});
    assert.ok(info.ok);
    assert.equal((info.value as { host: string }).host, 'electron');
    const models = await ipc.invoke('models:list', {});
    assert.ok(models.ok);
    assert.ok((models.value as Array<{ id: string }>).some((m) => m.id === 'realesr-general-x4v3'));
  });

  it('refuses other senders before looking at the payload: other windows, subframes, other origins', async () => {
    const strangers: InvokeSender[] = [
      { sender: { id: 8 }, senderFrame: { url: APP_ENTRY_URL, parent: null } },
      { sender: { id: WINDOW_ID }, senderFrame: { url: APP_ENTRY_URL, parent: {} } },
      { sender: { id: WINDOW_ID }, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: { id: WINDOW_ID }, senderFrame: { url: 'file:///tmp/x.html', parent: null } },
      { sender: { id: WINDOW_ID }, senderFrame: null },
    ];
    for (const sender of strangers) {
      const result = await ipc.invoke('app:info', {}, sender);
      assert.deepEqual(result.ok ? 'ok' : result.error.code, 'PERMISSION_DENIED');
    }
    assert.equal(isTrustedSender(WINDOW, undefined), false, 'no window, no trust');
  });

  it('answers 1200 malformed payloads (structured-clone values too) with INVALID_PAYLOAD and keeps serving', async () => {
    const payloads = malformedPayloads(31337, 50, true);
    assert.ok(payloads.length >= 1000);
    for (const { channel, payload } of payloads) {
      const result = await ipc.invoke(channel, payload);
      if (result.ok) assert.fail(`${channel} accepted a malformed payload`);
      assert.equal(result.error.code, 'INVALID_PAYLOAD');
    }
    assert.ok((await ipc.invoke('jobs:queue', {})).ok, 'still serving');
  });

  it('removes its handlers again', () => {
    unregister();
    assert.equal(ipc.handlers.size, 0);
  });
});
