/**
 * `window.heirloom` for a page opened from `heirloom serve`: the same API the Electron
 * preload exposes, over the serve run's WebSocket. The token comes from the page URL's
 * fragment (#token=...), which browsers never send to a server.
 */
import type { EventChannel, HeirloomApi, ImportedFiles, DroppedFile, InvokeChannel } from '../../shared/contract.js';
import { buildContractApi } from '../../shared/contract-client.js';
import { SERVE_ROUTES, TOKEN_HEADER, TOKEN_PARAM, type InvokeFrame, type ServerFrame } from '../../shared/contract-wire.js';
import type { ErrorInfo } from '../../shared/errors.js';
import type { Result } from '../../shared/result.js';

export class BridgeUnavailable extends Error {}

/** Fired on window when the connection to heirloom serve is lost. */
export const DISCONNECTED_EVENT = 'heirloom:disconnected';

const TOKEN_KEY = 'heirloom.serve-token';

function lost(message: string): Result<never> {
  return { ok: false, error: { code: 'INTERNAL', message } };
}

export async function connectWebSocketBridge(location: Location = window.location): Promise<HeirloomApi> {
  const fromUrl = new URLSearchParams(location.hash.slice(1)).get(TOKEN_PARAM);
  if (fromUrl) sessionStorage.setItem(TOKEN_KEY, fromUrl);
  const token = fromUrl ?? sessionStorage.getItem(TOKEN_KEY);
  if (!token) throw new BridgeUnavailable('Open this page with the address "heirloom serve" printed: it ends with #token=… and is different every run.');

  const socket = new WebSocket(`ws://${location.host}${SERVE_ROUTES.socket}?${TOKEN_PARAM}=${encodeURIComponent(token)}`);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('close', () => reject(new BridgeUnavailable('heirloom serve refused the connection or is not running. Start it again and open the new address it prints (the token changes every run).')), { once: true });
  });

  let nextId = 1;
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();

  socket.addEventListener('message', (message) => {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(message.data)) as ServerFrame;
    } catch {
      return;
    }
    if (frame.kind === 'result' && frame.id !== null) {
      const settle = pending.get(frame.id);
      pending.delete(frame.id);
      settle?.(frame.result);
    } else if (frame.kind === 'event') {
      for (const listener of [...(listeners.get(frame.channel) ?? [])]) listener(frame.payload);
    }
  });
  socket.addEventListener('close', () => {
    for (const settle of pending.values()) settle(lost('The connection to heirloom serve was lost. Restart it and open the address it prints.'));
    pending.clear();
    window.dispatchEvent(new Event(DISCONNECTED_EVENT));
  });

  const contract = buildContractApi({
    invoke(channel: InvokeChannel, payload: unknown) {
      if (socket.readyState !== WebSocket.OPEN) return Promise.resolve(lost('Not connected to heirloom serve. Restart it and open the address it prints.'));
      const id = nextId++;
      const frame: InvokeFrame = { kind: 'invoke', id, channel, payload };
      return new Promise((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify(frame));
      });
    },
    subscribe(channel, listener) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  });

  async function importFiles(files: readonly DroppedFile[]): Promise<ImportedFiles> {
    const result: ImportedFiles = { paths: [], failed: [] };
    for (const file of files) {
      try {
        const response = await fetch(`${SERVE_ROUTES.uploads}?name=${encodeURIComponent(file.name)}`, {
          method: 'POST',
          headers: { [TOKEN_HEADER]: token!, 'Content-Type': 'application/octet-stream' },
          body: file as unknown as Blob,
        });
        const body = (await response.json()) as Result<{ path: string }>;
        if (body.ok) result.paths.push(body.value.path);
        else result.failed.push({ name: file.name, error: body.error });
      } catch (error) {
        const info: ErrorInfo = { code: 'INTERNAL', message: `Could not send ${file.name} to heirloom serve (${(error as Error).message}). Check that it is still running.` };
        result.failed.push({ name: file.name, error: info });
      }
    }
    return result;
  }

  return Object.freeze({ ...contract, host: 'browser' as const, importFiles });
}
