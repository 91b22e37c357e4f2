/**
 * Builds `window.heirloom`'s contract part over a transport: one function per contract
 * entry, the channel fixed inside each, so the page never gets a generic
 * `send(channel, payload)`. Used by the preload (IPC) and the browser bridge (WebSocket).
 * Imports no zod, so the sandboxed preload bundle stays small.
 */
import { EVENT_METHODS, INVOKE_METHODS, type EventChannel, type InvokeChannel } from './contract-channels.js';
import type { ContractApi } from './contract.js';
import type { Result } from './result.js';

export interface ContractTransport {
  invoke(channel: InvokeChannel, payload: unknown): Promise<Result<unknown>>;
  subscribe(channel: EventChannel, listener: (payload: unknown) => void): () => void;
}

export function buildContractApi(transport: ContractTransport): ContractApi {
  const api: Record<string, unknown> = {};
  for (const [channel, method] of Object.entries(INVOKE_METHODS) as Array<[InvokeChannel, string]>) {
    api[method] = (request?: unknown) => transport.invoke(channel, request ?? {});
  }
  for (const [channel, method] of Object.entries(EVENT_METHODS) as Array<[EventChannel, string]>) {
    api[method] = (listener: unknown) => {
      if (typeof listener !== 'function') throw new TypeError(`${method} needs a listener function.`);
      return transport.subscribe(channel, listener as (payload: unknown) => void);
    };
  }
  return Object.freeze(api) as ContractApi;
}
