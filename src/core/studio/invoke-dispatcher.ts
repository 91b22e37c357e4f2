import { INVOKE, isInvokeChannel, type InvokeHandlers } from '../../shared/contract.js';
import { toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';

export type InvokeDispatcher = (channel: unknown, payload: unknown) => Promise<Result<unknown>>;

/**
 * The one entry point both bridges (IPC, WebSocket) call: checks the channel, parses the
 * payload with the channel's schema, then calls the handler. A bad payload is an
 * INVALID_PAYLOAD result and a failing handler an error result: nothing throws across.
 */
export function createInvokeDispatcher(handlers: InvokeHandlers): InvokeDispatcher {
  return async (channel, payload) => {
    if (!isInvokeChannel(channel)) return err(invalid(`There is no channel ${describe(channel)}. Update the page (reload it) so it matches this Heirloom.`));
    const parsed = INVOKE[channel].request.safeParse(payload);
    if (!parsed.success) {
      // Issues can quote what was sent (e.g. an unknown key): keep each one short.
      const issues = parsed.error.issues
        .slice(0, 5)
        .map((i) => clip(`${i.path.length ? i.path.map(String).join('.') : 'payload'}: ${i.message}`, 160))
        .join('; ');
      return err(invalid(`The request for ${channel} is not valid (${issues}). This is a bug in the page; reload it and report it if it happens again.`));
    }
    try {
      const handler = handlers[channel] as (request: unknown) => Promise<unknown>;
      return ok(await handler(parsed.data));
    } catch (error) {
      return err(toErrorInfo(error));
    }
  };
}

function invalid(message: string): ErrorInfo {
  return { code: 'INVALID_PAYLOAD', message };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return `of type ${value === null ? 'null' : typeof value}`;
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
}
