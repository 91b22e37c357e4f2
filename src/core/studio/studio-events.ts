import type { EventChannel, EventListener, EventPayloads } from '../../shared/contract.js';

export type AnyEventListener = <E extends EventChannel>(channel: E, payload: EventPayloads[E]) => void;

/**
 * The studio's event channels (host -> UI). Bridges (IPC, WebSocket) subscribe with onAny;
 * a listener that throws is isolated so one broken window cannot stop the others.
 */
export class StudioEvents {
  private readonly byChannel = new Map<EventChannel, Set<(payload: unknown) => void>>();
  private readonly any = new Set<AnyEventListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  on<E extends EventChannel>(channel: E, listener: EventListener<E>): () => void {
    let set = this.byChannel.get(channel);
    if (!set) {
      set = new Set();
      this.byChannel.set(channel, set);
    }
    const entry = listener as (payload: unknown) => void;
    set.add(entry);
    return () => set.delete(entry);
  }

  onAny(listener: AnyEventListener): () => void {
    this.any.add(listener);
    return () => this.any.delete(listener);
  }

  emit<E extends EventChannel>(channel: E, payload: EventPayloads[E]): void {
    for (const listener of [...(this.byChannel.get(channel) ?? [])]) this.call(() => listener(payload));
    for (const listener of [...this.any]) this.call(() => listener(channel, payload));
  }

  clear(): void {
    this.byChannel.clear();
    this.any.clear();
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.onListenerError(error);
    }
  }
}
