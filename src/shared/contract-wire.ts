/**
 * How the contract travels over `heirloom serve`'s WebSocket (the browser bridge): JSON
 * frames, one per message. Electron uses IPC instead and never sees these.
 */
import type { EventChannel, InvokeChannel } from './contract-channels.js';
import type { Result } from './result.js';

/** Page -> serve: call one invoke channel; `id` pairs the answer with the call. */
export interface InvokeFrame {
  kind: 'invoke';
  id: number;
  channel: InvokeChannel;
  payload: unknown;
}

/** Serve -> page: the answer to an invoke (id null when the frame itself was unreadable). */
export interface ResultFrame {
  kind: 'result';
  id: number | null;
  result: Result<unknown>;
}

/** Serve -> page: an event channel's payload. */
export interface EventFrame {
  kind: 'event';
  channel: EventChannel;
  payload: unknown;
}

export type ServerFrame = ResultFrame | EventFrame;

/** Routes of the serve bridge (all but the page itself need the run's token). */
export const SERVE_ROUTES = {
  socket: '/api/socket',
  images: '/api/images',
  uploads: '/api/uploads',
} as const;

/** The token travels in the page URL's fragment (never sent to a server or a Referer), then in this query parameter or header. */
export const TOKEN_PARAM = 'token';
export const TOKEN_HEADER = 'x-heirloom-token';

/** Largest frame serve accepts from the page (a jobs:start naming thousands of photos fits). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
