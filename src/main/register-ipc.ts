import { INVOKE_CHANNELS } from '../shared/contract-channels.js';
import { err, type Result } from '../shared/result.js';
import type { InvokeDispatcher } from '../core/studio/invoke-dispatcher.js';
import { isAppUrl } from './app-protocol.js';

/** The sender of an invoke, as far as the check needs it. */
export interface InvokeSender {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/** The part of ipcMain registration uses (a fake in tests). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeSender, payload: unknown) => Promise<Result<unknown>>): void;
  removeHandler(channel: string): void;
}

/** Trusted: the studio window's own top frame, showing an app page. */
export function isTrustedSender(event: InvokeSender, windowContentsId: number | undefined): boolean {
  if (windowContentsId === undefined || event.sender.id !== windowContentsId) return false;
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}

/**
 * One ipcMain handler per contract channel. Each checks the sender first, then hands the
 * payload to the studio's dispatcher (schema check, then core). Returns a function that
 * removes them again.
 */
export function registerIpc(ipcMain: IpcMainLike, dispatch: InvokeDispatcher, trusted: (event: InvokeSender) => boolean): () => void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, async (event, payload) => {
      if (!trusted(event)) {
        return err({ code: 'PERMISSION_DENIED', message: `Refused ${channel}: the request did not come from the Heirloom window.` });
      }
      return dispatch(channel, payload);
    });
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel);
  };
}
