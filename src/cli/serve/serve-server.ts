import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES, SERVE_ROUTES, TOKEN_HEADER, TOKEN_PARAM } from '../../shared/contract-wire.js';
import { toErrorInfo } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import { contentSecurityPolicy, securityHeaders } from '../../core/studio/content-security-policy.js';
import type { ImageVariant } from '../../core/studio/photo-catalog.js';
import { readRendererAsset } from '../../core/studio/renderer-assets.js';
import type { StudioService } from '../../core/studio/studio-service.js';
import { RequestGuard } from './request-guard.js';
import { tokenMatches } from './serve-token.js';
import { attachSocketSession } from './socket-session.js';
import type { UploadInbox } from './upload-inbox.js';

export interface ServeServerOptions {
  studio: StudioService;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  token: string;
  inbox: UploadInbox;
  /** 127.0.0.1 unless the user asked for another address. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  log?: (message: string, error?: unknown) => void;
}

export interface RunningServe {
  /** The page's address with the token in its fragment: what `heirloom serve` prints. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Image URLs for the page: the grant id plus the run's token (an <img> cannot send headers). */
export function serveImageUrl(token: string): (grantId: string, variant: ImageVariant) => string {
  return (grantId, variant) => `${SERVE_ROUTES.images}/${grantId}/${variant}?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
}

/**
 * `heirloom serve`: the built studio UI over HTTP and the contract over a WebSocket, on a
 * loopback address by default. Everything but the page's static files needs the per-run
 * token; Host and Origin are checked on every request.
 */
export async function startServeServer(options: ServeServerOptions): Promise<RunningServe> {
  const log = options.log ?? (() => {});
  const sockets = new Set<Socket>();
  // The guard needs the port, known once listening; requests cannot arrive before that.
  const bound: { guard?: RequestGuard } = {};

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  wss.on('connection', (socket) => attachSocketSession(socket, options.studio, log));

  const server: Server = createServer((request, response) => {
    if (!bound.guard?.hostAllowed(request)) return plain(response, 421, 'This server answers only at the address heirloom serve printed.');
    handle(request, response).catch((error: unknown) => {
      log('Request failed', error);
      if (!response.headersSent) plain(response, 500, 'Internal error; see the terminal running heirloom serve.');
      else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (request: IncomingMessage, socket, head) => {
    const url = parseUrl(request);
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!bound.guard?.hostAllowed(request)) return refuse(421, 'Misdirected Request');
    if (!bound.guard.originAllowed(request)) return refuse(403, 'Forbidden');
    if (url?.pathname !== SERVE_ROUTES.socket) return refuse(404, 'Not Found');
    if (!tokenMatches(options.token, url.searchParams.get(TOKEN_PARAM))) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = parseUrl(request);
    if (!url) return plain(response, 400, 'Bad request.');
    if (url.pathname.startsWith(`${SERVE_ROUTES.images}/`)) return serveImage(request, response, url);
    if (url.pathname === SERVE_ROUTES.uploads) return receiveUpload(request, response, url);
    if (url.pathname.startsWith('/api/')) return plain(response, 404, 'Not found.');
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(response, 405, 'Method not allowed.');
    const asset = await readRendererAsset(options.rendererDir, url.pathname);
    if (!asset) {
      if (url.pathname === '/') return plain(response, 503, `The studio UI is not built (no index.html in ${options.rendererDir}). Run "npm run build:renderer", then reload.`);
      return plain(response, 404, 'Not found.');
    }
    // The page connects back to the host it was loaded from (already checked by the guard).
    const csp = contentSecurityPolicy({ connect: [`ws://${request.headers.host}${SERVE_ROUTES.socket}`] });
    response.writeHead(200, {
      ...securityHeaders(csp),
      'Content-Type': asset.contentType,
      'Content-Length': asset.data.length,
      'Cache-Control': url.pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    response.end(request.method === 'HEAD' ? undefined : asset.data);
  }

  async function serveImage(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    if (request.method !== 'GET') return plain(response, 405, 'Method not allowed.');
    if (!tokenMatches(options.token, url.searchParams.get(TOKEN_PARAM))) return plain(response, 401, 'The token is missing or wrong.');
    const [grantId, variant] = url.pathname.slice(SERVE_ROUTES.images.length + 1).split('/');
    if (!grantId || (variant !== 'thumbnail' && variant !== 'image')) return plain(response, 404, 'Not found.');
    try {
      const image = await options.studio.renderImage(grantId, variant);
      response.writeHead(200, { 'Content-Type': image.contentType, 'Content-Length': image.data.length, 'Cache-Control': 'private, max-age=60', 'X-Content-Type-Options': 'nosniff' });
      response.end(image.data);
    } catch (error) {
      const info = toErrorInfo(error);
      plain(response, info.code === 'NOT_FOUND' ? 404 : 422, info.message);
    }
  }

  async function receiveUpload(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    if (request.method !== 'POST') return plain(response, 405, 'Method not allowed.');
    if (!tokenMatches(options.token, headerValue(request, TOKEN_HEADER))) return plain(response, 401, 'The token is missing or wrong.');
    const name = url.searchParams.get('name') ?? 'photo';
    const length = Number(request.headers['content-length']);
    let result: Result<{ path: string }>;
    try {
      const path = await options.inbox.receive(name, request, Number.isFinite(length) ? length : undefined);
      options.studio.grantPhoto(path);
      result = ok({ path });
    } catch (error) {
      result = err(toErrorInfo(error, { file: name }));
    }
    const body = JSON.stringify(result);
    response.writeHead(result.ok ? 200 : 422, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    response.end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  bound.guard = new RequestGuard(port, options.host);
  const hostForUrl = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    url: `http://${hostForUrl}:${port}/#${TOKEN_PARAM}=${options.token}`,
    port,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function parseUrl(request: IncomingMessage): URL | undefined {
  try {
    return new URL(request.url ?? '/', 'http://serve.invalid');
  } catch {
    return undefined;
  }
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function plain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  response.end(text);
}
