import type { WebSocket } from 'ws';
import type { EventChannel, EventPayloads } from '../../shared/contract.js';
import type { ResultFrame, ServerFrame } from '../../shared/contract-wire.js';
import { err } from '../../shared/result.js';
import type { StudioService } from '../../core/studio/studio-service.js';

/** Above this many unsent bytes, progress updates to this page are skipped (they are superseded anyway). */
const PROGRESS_BACKLOG_BYTES = 4 * 1024 * 1024;

/**
 * One page connected over the WebSocket: its invokes go through the studio's dispatcher
 * (channel check + schema) and the studio's events come back. A malformed frame gets an
 * INVALID_PAYLOAD answer; nothing a page sends can throw out of here.
 */
export function attachSocketSession(socket: WebSocket, studio: StudioService, log: (message: string, error?: unknown) => void): void {
  const send = (frame: ServerFrame) => {
    if (socket.readyState !== socket.OPEN) return;
    socket.send(JSON.stringify(frame), (error) => {
      if (error) log('Could not send to the page', error);
    });
  };
  const unsubscribe = studio.events.onAny(<E extends EventChannel>(channel: E, payload: EventPayloads[E]) => {
    if (channel === 'jobs:event' && (payload as EventPayloads['jobs:event']).type === 'progress' && socket.bufferedAmount > PROGRESS_BACKLOG_BYTES) return;
    send({ kind: 'event', channel, payload });
  });

  socket.on('message', (data, isBinary) => {
    void handleFrame(isBinary ? undefined : data.toString()).then(send, (error: unknown) => log('A request failed unexpectedly', error));
  });
  socket.on('close', unsubscribe);
  socket.on('error', (error) => log('WebSocket error', error));

  async function handleFrame(text: string | undefined): Promise<ResultFrame> {
    let frame: unknown;
    try {
      frame = text === undefined ? undefined : JSON.parse(text);
    } catch {
      frame = undefined;
    }
    if (!isInvokeFrameShape(frame)) {
      return { kind: 'result', id: frameId(frame), result: err({ code: 'INVALID_PAYLOAD', message: 'The page sent a message that is not a request ({ kind: "invoke", id, channel, payload } as JSON text). Reload the page.' }) };
    }
    return { kind: 'result', id: frame.id, result: await studio.dispatch(frame.channel, frame.payload) };
  }
}

function isInvokeFrameShape(frame: unknown): frame is { kind: 'invoke'; id: number; channel: unknown; payload: unknown } {
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return false;
  const f = frame as Record<string, unknown>;
  return f.kind === 'invoke' && Number.isSafeInteger(f.id) && (f.id as number) >= 0 && Object.hasOwn(f, 'channel');
}

function frameId(frame: unknown): number | null {
  if (typeof frame !== 'object' || frame === null) return null;
  const id = (frame as Record<string, unknown>).id;
  return Number.isSafeInteger(id) && (id as number) >= 0 ? (id as number) : null;
}
