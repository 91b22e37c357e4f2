import type { IncomingMessage } from 'node:http';

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * Which Host / Origin headers the serve bridge answers. Checking Host defeats DNS
 * rebinding (a web page that points its own name at 127.0.0.1); checking Origin on the
 * WebSocket refuses other sites' pages outright, before the token is even looked at.
 * Bound to a wildcard address (--host 0.0.0.0) the machine's names are unknown, so any
 * Host is answered, the WebSocket's Origin must equal its Host, and the token still decides.
 */
export class RequestGuard {
  private readonly hosts: Set<string>;
  private readonly anyHost: boolean;

  constructor(port: number, bindHost?: string) {
    const names = ['127.0.0.1', 'localhost', '[::1]'];
    this.anyHost = bindHost !== undefined && WILDCARDS.has(bindHost);
    if (bindHost && !this.anyHost && !names.includes(bindHost)) names.push(bindHost.includes(':') && !bindHost.startsWith('[') ? `[${bindHost}]` : bindHost);
    // Browsers leave the default port out of Host and Origin.
    this.hosts = new Set(names.flatMap((name) => (port === 80 ? [name, `${name}:80`] : [`${name}:${port}`])).map((h) => h.toLowerCase()));
  }

  hostAllowed(request: IncomingMessage): boolean {
    const host = request.headers.host;
    if (typeof host !== 'string' || host.length === 0 || host.length > 300) return false;
    return this.anyHost || this.hosts.has(host.toLowerCase());
  }

  /** Browsers always send Origin on WebSocket upgrades; non-browser clients may omit it. */
  originAllowed(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    try {
      const url = new URL(origin);
      if (url.protocol !== 'http:') return false;
      const host = url.host.toLowerCase();
      return this.anyHost ? host === request.headers.host?.toLowerCase() : this.hosts.has(host);
    } catch {
      return false;
    }
  }
}
