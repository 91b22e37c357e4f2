import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HeirloomError } from '../../../shared/errors.js';

export interface DownloadProgress {
  url: string;
  /** Bytes in the partial file so far (including any resumed part). */
  receivedBytes: number;
  /** The whole file's size when the server said it, else null. */
  totalBytes: number | null;
  /** Bytes that were already there when this transfer started. */
  resumedFrom: number;
}

export interface DownloadRequest {
  url: string;
  /** The partial file. It survives failures and cancels, so a later call resumes it. */
  partPath: string;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Transfers per call; each one resumes where the previous one stopped. */
  attempts?: number;
  /** Wait before the second attempt, doubled after each failure. */
  retryDelayMs?: number;
  /** A connection silent this long is dropped (and resumed by the next attempt). */
  idleTimeoutMs?: number;
}

export interface DownloadResult {
  bytes: number;
  sha256: string;
  /** The partial file the transfer started from, in bytes (0 for a fresh download). */
  resumedFrom: number;
}

/** Stored next to the partial file: a resume is only valid for the same URL and the same remote file. */
interface PartState {
  url: string;
  validator?: string;
  totalBytes?: number;
}

const MAX_REDIRECTS = 5;

class RetryableError extends Error {}

/**
 * Downloads `url` into `partPath`, resuming an earlier partial file with an HTTP Range
 * request (guarded by If-Range with the server's ETag or Last-Modified, so a changed file
 * restarts instead of being spliced). Interrupted transfers and 5xx answers are retried
 * with a growing delay; 4xx answers are not. Returns the size and sha256 of the whole file.
 */
export async function downloadResumable(request: DownloadRequest): Promise<DownloadResult> {
  const attempts = request.attempts ?? 4;
  let delay = request.retryDelayMs ?? 1000;
  const firstOffset = await usablePartSize(request);
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    throwIfCancelled(request);
    try {
      await transfer(request);
      const { bytes, sha256 } = await hashFile(request.partPath);
      await fs.rm(statePath(request.partPath), { force: true });
      return { bytes, sha256, resumedFrom: firstOffset };
    } catch (error) {
      if (!(error instanceof RetryableError)) throw error;
      lastError = error;
      if (attempt < attempts) {
        await sleep(delay, request.signal);
        delay *= 2;
      }
    }
  }
  throw new HeirloomError(
    'DOWNLOAD_FAILED',
    `Downloading ${request.url} failed after ${attempts} attempts (${(lastError as Error).message}). Check the connection and run the same command again: it resumes where it stopped.`,
    { cause: lastError },
  );
}

/** Size of a partial file that may be resumed; a part from another URL is discarded. */
async function usablePartSize(request: DownloadRequest): Promise<number> {
  const size = await fileSize(request.partPath);
  if (size === 0) return 0;
  const state = await readState(request.partPath);
  if (state?.url === request.url) return size;
  await fs.rm(request.partPath, { force: true });
  return 0;
}

async function transfer(request: DownloadRequest): Promise<void> {
  const offset = await usablePartSize(request);
  const state = offset > 0 ? await readState(request.partPath) : undefined;
  const headers: Record<string, string> = { 'user-agent': 'Heirloom model manager', 'accept-encoding': 'identity' };
  if (offset > 0) {
    headers.range = `bytes=${offset}-`;
    if (state?.validator) headers['if-range'] = state.validator;
  }
  const response = await get(request.url, headers, request);
  const status = response.statusCode ?? 0;
  let start: number;
  let total: number | null;
  if (status === 206) {
    const range = parseContentRange(response.headers['content-range']);
    if (!range || range.start !== offset) {
      response.resume();
      await fs.rm(request.partPath, { force: true });
      throw new RetryableError(`the server resumed at the wrong place (${response.headers['content-range'] ?? 'no Content-Range'})`);
    }
    start = offset;
    total = range.total;
  } else if (status === 200) {
    start = 0;
    const length = Number(response.headers['content-length']);
    total = Number.isFinite(length) && length >= 0 ? length : null;
  } else if (status === 416 && offset > 0) {
    response.resume();
    const range = parseContentRange(response.headers['content-range']);
    if (range?.total === offset) return; // the partial file is already the whole file
    await fs.rm(request.partPath, { force: true });
    throw new RetryableError('the partial file is larger than the remote file; starting again');
  } else {
    response.resume();
    const message = `the server answered ${status} ${response.statusMessage ?? ''}`.trim();
    if (status >= 500 || status === 429 || status === 408) throw new RetryableError(message);
    throw new HeirloomError('DOWNLOAD_FAILED', `Downloading ${request.url} failed: ${message}. Check the URL (catalog entry) or try again later.`);
  }
  const validator = strongValidator(response.headers);
  await writeState(request.partPath, { url: request.url, ...(validator ? { validator } : {}), ...(total !== null ? { totalBytes: total } : {}) });

  let received = start;
  const report = () => request.onProgress?.({ url: request.url, receivedBytes: received, totalBytes: total, resumedFrom: start });
  report();
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      report();
      callback(null, chunk);
    },
  });
  const file = createWriteStream(request.partPath, { flags: start === 0 ? 'w' : 'a' });
  try {
    await pipeline(response, counter, file);
  } catch (error) {
    // Writes already queued still land after a failed pipeline: wait for them, so the partial
    // file has its final size before anyone (the next attempt, the next call) resumes it.
    if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
    throwIfCancelled(request);
    throw new RetryableError(`the transfer stopped at ${received} bytes (${(error as Error).message})`);
  }
  if (total !== null && received !== total) throw new RetryableError(`the transfer stopped at ${received} of ${total} bytes`);
}

/** GET with redirects; resolves when the final response's headers arrive. */
function get(url: string, headers: Record<string, string>, request: DownloadRequest, redirects = 0): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (error) {
      reject(new HeirloomError('DOWNLOAD_FAILED', `"${url}" is not a valid download URL.`, { cause: error }));
      return;
    }
    const client = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
    if (!client) {
      reject(new HeirloomError('DOWNLOAD_FAILED', `"${url}" is not an http(s) URL.`));
      return;
    }
    const req = client.get(parsed, { headers, ...(request.signal ? { signal: request.signal } : {}) }, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.resume();
        if (redirects >= MAX_REDIRECTS) {
          reject(new HeirloomError('DOWNLOAD_FAILED', `Downloading ${request.url} failed: more than ${MAX_REDIRECTS} redirects.`));
          return;
        }
        get(new URL(location, parsed).toString(), headers, request, redirects + 1).then(resolve, reject);
        return;
      }
      resolve(response);
    });
    req.setTimeout(request.idleTimeoutMs ?? 30_000, () => req.destroy(new Error('no data for too long')));
    req.on('error', (error) => {
      if (request.signal?.aborted) reject(cancelled(request));
      else reject(new RetryableError(error.message));
    });
  });
}

function parseContentRange(header: string | undefined): { start: number; total: number | null } | null {
  if (!header) return null;
  const full = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim());
  if (full) return { start: Number(full[1]), total: full[3] === '*' ? null : Number(full[3]) };
  const unsatisfied = /^bytes \*\/(\d+)$/.exec(header.trim());
  if (unsatisfied) return { start: -1, total: Number(unsatisfied[1]) };
  return null;
}

/** If-Range needs a strong ETag; a weak one cannot guard a byte range, Last-Modified can. */
function strongValidator(headers: http.IncomingHttpHeaders): string | undefined {
  const etag = headers.etag;
  if (etag && !etag.startsWith('W/')) return etag;
  return headers['last-modified'];
}

function statePath(partPath: string): string {
  return `${partPath}.json`;
}

async function readState(partPath: string): Promise<PartState | undefined> {
  try {
    return JSON.parse(await fs.readFile(statePath(partPath), 'utf8')) as PartState;
  } catch {
    return undefined;
  }
}

async function writeState(partPath: string, state: PartState): Promise<void> {
  await fs.writeFile(statePath(partPath), JSON.stringify(state));
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await fs.stat(path)).size;
  } catch {
    return 0;
  }
}

export async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

function cancelled(request: DownloadRequest): HeirloomError {
  return new HeirloomError('CANCELLED', `Downloading ${request.url} was cancelled; the partial file is kept and the next download resumes it.`);
}

function throwIfCancelled(request: DownloadRequest): void {
  if (request.signal?.aborted) throw cancelled(request);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
