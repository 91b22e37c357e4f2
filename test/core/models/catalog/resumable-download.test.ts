import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadResumable } from '../../../../src/core/models/catalog/resumable-download.js';
import { HeirloomError } from '../../../../src/shared/errors.js';
import { sha256, TestHttpServer } from './test-http-server.js';

const BODY = randomBytes(600_000);

describe('resumable download', () => {
  let server: TestHttpServer;
  let dir: string;
  before(async () => {
    server = new TestHttpServer();
    await server.start();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'heirloom-download-'));
    server.reset();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes an interrupted transfer with a Range request and gets the whole file', async () => {
    server.files.set('/m.onnx', { body: BODY, cutAfter: 250_000, cutDelayMs: 200 });
    const part = join(dir, 'm.part');
    const progress: number[] = [];
    const result = await downloadResumable({ url: server.url('/m.onnx'), partPath: part, retryDelayMs: 5, onProgress: (p) => progress.push(p.receivedBytes) });
    assert.equal(result.bytes, BODY.length);
    assert.equal(result.sha256, sha256(BODY));
    assert.deepEqual(readFileSync(part), BODY);
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[0]!.range, undefined);
    assert.match(server.requests[1]!.range ?? '', /^bytes=\d+-$/);
    const resumedAt = Number(/\d+/.exec(server.requests[1]!.range!)![0]);
    assert.ok(resumedAt > 0 && resumedAt <= 250_000, `resumed at ${resumedAt}`);
    assert.ok(server.requests[1]!.ifRange, 'the resume is guarded by If-Range');
    assert.equal(progress.at(-1), BODY.length);
    assert.ok(!existsSync(`${part}.json`), 'the resume state is removed once the file is complete');
  });

  it('resumes the partial file a failed earlier call left behind', async () => {
    server.files.set('/m.onnx', { body: BODY, cutAfter: 300_000, cutDelayMs: 200 });
    const part = join(dir, 'm.part');
    await assert.rejects(downloadResumable({ url: server.url('/m.onnx'), partPath: part, attempts: 1 }), (e: unknown) => e instanceof HeirloomError && e.code === 'DOWNLOAD_FAILED' && /run the same command again/.test(e.message));
    const kept = statSync(part).size;
    assert.ok(kept > 0 && kept <= 300_000, `partial file kept (${kept} bytes)`);
    const result = await downloadResumable({ url: server.url('/m.onnx'), partPath: part, attempts: 1 });
    assert.equal(result.resumedFrom, kept);
    assert.equal(result.sha256, sha256(BODY));
    assert.equal(server.requests[1]!.range, `bytes=${kept}-`);
  });

  it('starts again when the remote file changed since the partial download', async () => {
    server.files.set('/m.onnx', { body: BODY, cutAfter: 100_000, cutDelayMs: 200 });
    const part = join(dir, 'm.part');
    await assert.rejects(downloadResumable({ url: server.url('/m.onnx'), partPath: part, attempts: 1 }));
    const changed = randomBytes(400_000);
    server.files.set('/m.onnx', { body: changed });
    const result = await downloadResumable({ url: server.url('/m.onnx'), partPath: part, attempts: 1 });
    assert.ok(server.requests[1]!.range && server.requests[1]!.ifRange, 'the second call tried to resume, guarded by If-Range');
    assert.equal(result.sha256, sha256(changed), 'If-Range with the old ETag made the server send the new file whole');
    assert.equal(result.bytes, changed.length);
  });

  it('starts again when the server ignores the Range header', async () => {
    server.files.set('/m.onnx', { body: BODY, cutAfter: 200_000, ignoreRange: true });
    const result = await downloadResumable({ url: server.url('/m.onnx'), partPath: join(dir, 'm.part'), retryDelayMs: 5 });
    assert.equal(result.sha256, sha256(BODY));
    assert.equal(result.bytes, BODY.length);
  });

  it('follows redirects', async () => {
    server.files.set('/release/m.onnx', { body: BODY, redirectTo: '/objects/m.onnx' });
    server.files.set('/objects/m.onnx', { body: BODY });
    const result = await downloadResumable({ url: server.url('/release/m.onnx'), partPath: join(dir, 'm.part') });
    assert.equal(result.sha256, sha256(BODY));
  });

  it('reports a server error after retrying, and a missing file at once', async () => {
    server.files.set('/broken.onnx', { body: BODY, status: 500 });
    await assert.rejects(downloadResumable({ url: server.url('/broken.onnx'), partPath: join(dir, 'b.part'), attempts: 3, retryDelayMs: 5 }), (e: unknown) => {
      assert.ok(e instanceof HeirloomError);
      assert.equal(e.code, 'DOWNLOAD_FAILED');
      assert.match(e.message, /500/);
      return true;
    });
    assert.equal(server.requests.length, 3);
    server.requests.length = 0;
    await assert.rejects(downloadResumable({ url: server.url('/missing.onnx'), partPath: join(dir, 'x.part'), attempts: 3, retryDelayMs: 5 }), /404/);
    assert.equal(server.requests.length, 1, 'a 404 is not retried');
  });

  it('stops when cancelled and keeps the partial file for later', async () => {
    server.files.set('/m.onnx', { body: BODY, cutAfter: 100_000, cutTimes: 5 });
    const abort = new AbortController();
    const part = join(dir, 'm.part');
    await assert.rejects(
      downloadResumable({
        url: server.url('/m.onnx'),
        partPath: part,
        retryDelayMs: 5,
        signal: abort.signal,
        onProgress: (p) => {
          if (p.receivedBytes >= 50_000) abort.abort();
        },
      }),
      (e: unknown) => e instanceof HeirloomError && e.code === 'CANCELLED',
    );
    assert.ok(existsSync(part));
  });
});
