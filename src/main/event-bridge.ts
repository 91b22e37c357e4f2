import type { EventChannel, EventPayloads } from '../shared/contract.js';
import type { StudioEvents } from '../core/studio/studio-events.js';

/** The part of WebContents events go to. */
export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, payload: unknown): void;
}

/** Sends every studio event (progress already throttled by the studio) to the window. */
export function forwardStudioEvents(events: StudioEvents, target: () => EventTarget | undefined): () => void {
  return events.onAny(<E extends EventChannel>(channel: E, payload: EventPayloads[E]) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(channel, payload);
  });
}
