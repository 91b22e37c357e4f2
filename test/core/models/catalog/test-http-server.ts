import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedFile {
  body: Uint8Array;
  etag?: string;
  /** Answer every request with this status instead (e.g. 500, 404). */
  status?: number;
  /** Drop the connection after this many body bytes, for the first `cutTimes` requests. */
  cutAfter?: number;
  cutTimes?: number;
  /** How long after those bytes the connection drops (default 20 ms; longer for a client in another process). */
  cutDelayMs?: number;
  /** Answer 200 with the whole body even to a Range request. */
  ignoreRange?: boolean;
  /** Redirect to another path on this server. */
  redirectTo?: string;
  /** Send the body slowly: pieces of this many bytes, `chunkDelayMs` apart (a progress bar then moves visibly). */
  chunkBytes?: number;
  chunkDelayMs?: number;
}

export interface SeenRequest {
  path: string;
  range?: string;
  ifRange?: string;
}

/** A loopback HTTP server for download tests: Range, If-Range, cut connections, errors, redirects. */
export class TestHttpServer {
  readonly files = new Map<string, ServedFile>();
  readonly requests: SeenRequest[] = [];
  private readonly cuts = new Map<string, number>();
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  /** Forgets the files, the requests seen and the connections cut. */
  reset(): void {
    this.files.clear();
    this.requests.length = 0;
    this.cuts.clear();
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  url(path: string): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${path}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = req.url ?? '/';
    const seen: SeenRequest = { path };
    if (req.headers.range) seen.range = req.headers.range;
    if (typeof req.headers['if-range'] === 'string') seen.ifRange = req.headers['if-range'];
    this.requests.push(seen);
    const file = this.files.get(path);
    if (!file) {
      res.writeHead(404).end('not found');
      return;
    }
    if (file.redirectTo) {
      res.writeHead(302, { location: file.redirectTo }).end();
      return;
    }
    if (file.status) {
      res.writeHead(file.status).end('server error');
      return;
    }
    const etag = file.etag ?? `"${createHash('sha256').update(file.body).digest('hex').slice(0, 16)}"`;
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const rangeValid = range && !file.ignoreRange && (seen.ifRange === undefined || seen.ifRange === etag);
    if (rangeValid) {
      start = Number(range[1]);
      if (start >= file.body.length) {
        res.writeHead(416, { 'content-range': `bytes */${file.body.length}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': file.body.length - start, 'content-range': `bytes ${start}-${file.body.length - 1}/${file.body.length}`, etag });
    } else {
      res.writeHead(200, { 'content-length': file.body.length, etag, 'accept-ranges': 'bytes' });
    }
    const cutsSoFar = this.cuts.get(path) ?? 0;
    if (file.cutAfter !== undefined && cutsSoFar < (file.cutTimes ?? 1)) {
      this.cuts.set(path, cutsSoFar + 1);
      res.write(file.body.subarray(start, Math.min(file.body.length, start + file.cutAfter)), () => {
        // Drop the connection mid-body, as a flaky network would.
        setTimeout(() => res.destroy(), file.cutDelayMs ?? 20);
      });
      return;
    }
    if (file.chunkBytes) {
      this.trickle(res, file.body.subarray(start), file.chunkBytes, file.chunkDelayMs ?? 50);
      return;
    }
    res.end(file.body.subarray(start));
  }

  private trickle(res: http.ServerResponse, body: Uint8Array, chunkBytes: number, delayMs: number, offset = 0): void {
    if (res.destroyed) return; // the client went away (a cancelled download)
    const end = Math.min(body.length, offset + chunkBytes);
    if (end === body.length) {
      res.end(body.subarray(offset));
      return;
    }
    res.write(body.subarray(offset, end));
    setTimeout(() => this.trickle(res, body, chunkBytes, delayMs, end), delayMs);
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
