import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import type { InspectedPath } from '../../src/shared/contract.js';
import type { ResultFrame, ServerFrame } from '../../src/shared/contract-wire.js';
import type { Result } from '../../src/shared/result.js';
import { StudioRuntime } from '../../src/core/studio/studio-runtime.js';
import { serveImageUrl, startServeServer, type RunningServe } from '../../src/cli/serve/serve-server.js';
import { createServeToken, tokenMatches } from '../../src/cli/serve/serve-token.js';
import { safeFileName, UploadInbox } from '../../src/cli/serve/upload-inbox.js';
import { malformedPayloads } from '../shared/payload-fuzzer.js';
import { seededRandom } from '../helpers/seeded-random.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixture = join(repo, 'test/fixtures/e2e/coins.png');

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function http(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Connects and resolves with the socket, or with the HTTP status the upgrade was refused with. */
function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', (error) => {
      if (!/Unexpected server response|socket hang up/.test(error.message)) reject(error);
    });
  });
}

/** A line-up of request/answer pairs over one socket. */
class Client {
  private readonly waiting = new Map<number | null, Array<(frame: ResultFrame) => void>>();
  readonly events: ServerFrame[] = [];

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      if (frame.kind === 'event') return void this.events.push(frame);
      const queue = this.waiting.get(frame.id);
      queue?.shift()?.(frame);
    });
  }

  /** Sends raw text (or binary) and resolves with the answer for `id`. */
  sendRaw(data: string | Buffer, id: number | null): Promise<ResultFrame> {
    return new Promise((resolve) => {
      const queue = this.waiting.get(id) ?? [];
      queue.push(resolve);
      this.waiting.set(id, queue);
      this.socket.send(data);
    });
  }

  async call(id: number, channel: string, payload: unknown = {}): Promise<Result<unknown>> {
    return (await this.sendRaw(JSON.stringify({ kind: 'invoke', id, channel, payload }), id)).result;
  }
}

describe('heirloom serve bridge', () => {
  let home: string;
  let token: string;
  let runtime: StudioRuntime;
  let serve: RunningServe;
  let port: number;
  let socketUrl: string;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'heirloom-serve-'));
    const renderer = join(home, 'renderer');
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>studio</title>');
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(home, 'secret.txt'), 'secret');
    token = createServeToken();
    runtime = new StudioRuntime({ home, bundledModelsDir: join(repo, 'models'), host: 'browser', version: 'test', imageUrl: serveImageUrl(token), uploads: true });
    serve = await startServeServer({ studio: runtime.studio, rendererDir: renderer, token, inbox: UploadInbox.forRun(home), host: '127.0.0.1', port: 0 });
    port = serve.port;
    socketUrl = `ws://127.0.0.1:${port}/api/socket?token=${encodeURIComponent(token)}`;
  });

  after(async () => {
    await serve.close();
    await runtime.dispose();
    rmSync(home, { recursive: true, force: true });
  });

  it('prints a loopback URL with a fresh 256-bit token in its fragment', () => {
    assert.equal(serve.url, `http://127.0.0.1:${port}/#token=${token}`);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(createServeToken(), token);
    assert.ok(tokenMatches(token, token));
    assert.equal(tokenMatches(token, `${token}x`), false);
    assert.equal(tokenMatches(token, ''), false);
    assert.equal(tokenMatches(token, undefined), false);
  });

  it('serves the page with the CSP and security headers, and nothing outside the renderer folder', async () => {
    const page = await http(port, '/');
    assert.equal(page.status, 200);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${port}/api/socket`));
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal((await http(port, '/assets/app.js')).status, 200);
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%00', '/api/nothing', '/secret.txt']) {
      const answer = await http(port, path);
      assert.ok(answer.status === 404 || answer.status === 400, `${path}: ${answer.status}`);
      assert.ok(!answer.body.toString().includes('secret'), path);
    }
  });

  it('answers only at its own address (DNS rebinding): another Host gets 421', async () => {
    assert.equal((await http(port, '/', { headers: { Host: 'attacker.example:80' } })).status, 421);
    assert.equal((await http(port, '/', { headers: { Host: `localhost:${port}` } })).status, 200);
  });

  it('refuses a WebSocket without the token, with a wrong token, or from another site', async () => {
    assert.equal(await connect(`ws://127.0.0.1:${port}/api/socket`), 401);
    assert.equal(await connect(`ws://127.0.0.1:${port}/api/socket?token=`), 401);
    assert.equal(await connect(`ws://127.0.0.1:${port}/api/socket?token=${createServeToken()}`), 401);
    assert.equal(await connect(`ws://127.0.0.1:${port}/api/socket?token=${token.slice(0, -1)}`), 401);
    assert.equal(await connect(socketUrl, { Origin: 'https://attacker.example' }), 403);
    assert.equal(await connect(`ws://127.0.0.1:${port}/elsewhere?token=${token}`), 404);
    const socket = await connect(socketUrl, { Origin: `http://127.0.0.1:${port}` });
    assert.ok(socket instanceof WebSocket);
    socket.close();
  });

  it('answers 1000+ malformed frames with typed INVALID_PAYLOAD results and keeps serving', async () => {
    const socket = await connect(socketUrl);
    assert.ok(socket instanceof WebSocket);
    const client = new Client(socket);
    const random = seededRandom(424242);
    const payloads = malformedPayloads(99, 36); // 864 schema-invalid requests on real channels...
    let sent = 0;
    let id = 1;
    for (const { channel, payload } of payloads) {
      const result = await client.call(id++, channel, payload);
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.error.code, 'INVALID_PAYLOAD');
      sent++;
    }
    // ...plus frames that are not requests at all.
    const junk: Array<[string | Buffer, number | null]> = [
      ['not json', null],
      ['{"kind":"invoke"', null],
      ['[]', null],
      ['null', null],
      ['42', null],
      [JSON.stringify({ kind: 'invoke', id: -1, channel: 'jobs:queue', payload: {} }), null],
      [JSON.stringify({ kind: 'invoke', id: 1.5, channel: 'jobs:queue', payload: {} }), null],
      [JSON.stringify({ kind: 'call', id: 7, channel: 'jobs:queue', payload: {} }), 7],
      [JSON.stringify({ kind: 'invoke', id: 8, payload: {} }), 8],
      [JSON.stringify({ kind: 'invoke', id: 9, channel: 'jobs:destroy', payload: {} }), 9],
      [JSON.stringify({ kind: 'invoke', id: 10, channel: { toString: 1 }, payload: {} }), 10],
      [Buffer.from([0xde, 0xad, 0xbe, 0xef]), null],
    ];
    while (sent < 1000) {
      const [data, expectId] = junk[Math.floor(random() * junk.length)]!;
      const answer = await client.sendRaw(data, expectId);
      assert.equal(answer.result.ok, false);
      assert.equal(!answer.result.ok && answer.result.error.code, 'INVALID_PAYLOAD');
      sent++;
    }
    assert.equal(socket.readyState, WebSocket.OPEN, 'the connection survives');
    const info = await client.call(5000, 'app:info');
    assert.equal(info.ok, true);
    socket.close();
  });

  it('streams events to the page (queue changes)', async () => {
    const socket = await connect(socketUrl);
    assert.ok(socket instanceof WebSocket);
    const client = new Client(socket);
    assert.equal((await client.call(1, 'jobs:pause')).ok, true);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const changed = client.events.find((e) => e.kind === 'event' && e.channel === 'jobs:queue-changed');
    assert.ok(changed && changed.kind === 'event');
    assert.equal((changed.payload as { paused: boolean }).paused, true);
    assert.equal((await client.call(2, 'jobs:resume')).ok, true);
    socket.close();
  });

  it('serves images of granted files only, and only with the token', async () => {
    const socket = await connect(socketUrl);
    assert.ok(socket instanceof WebSocket);
    const client = new Client(socket);
    const inspected = await client.call(1, 'files:inspect', { paths: [fixture] });
    socket.close();
    assert.ok(inspected.ok);
    const photo = (inspected.value as InspectedPath[])[0]!;
    assert.ok(photo.ok && photo.kind !== 'folder');
    const thumb = await http(port, photo.thumbnailUrl);
    assert.equal(thumb.status, 200);
    assert.equal(thumb.headers['content-type'], 'image/webp');
    const whole = await http(port, photo.imageUrl);
    assert.equal(whole.status, 200);
    assert.deepEqual(whole.body, readFileSync(fixture));
    const withoutToken = photo.imageUrl.replace(/\?token=.*$/, '');
    assert.equal((await http(port, withoutToken)).status, 401);
    assert.equal((await http(port, photo.imageUrl.replace(/token=[^&]+/, `token=${createServeToken()}`))).status, 401);
    assert.equal((await http(port, `/api/images/${'A'.repeat(22)}/image?token=${token}`)).status, 404);
    assert.equal((await http(port, `/api/images/..%2f..%2fsecret.txt/image?token=${token}`)).status, 404);
    assert.equal((await http(port, photo.imageUrl, { method: 'POST' })).status, 405);
  });

  it('receives uploads into the run inbox with the token, keeps the name safe, and refuses non-images', async () => {
    const bytes = readFileSync(fixture);
    assert.equal((await http(port, '/api/uploads?name=coins.png', { method: 'POST', body: bytes })).status, 401);
    assert.equal((await http(port, '/api/uploads?name=coins.png', { method: 'POST', body: bytes, headers: { 'x-heirloom-token': 'wrong' } })).status, 401);
    const ok = await http(port, `/api/uploads?name=${encodeURIComponent('../../evil/coins.png')}`, { method: 'POST', body: bytes, headers: { 'x-heirloom-token': token } });
    assert.equal(ok.status, 200);
    const uploaded = JSON.parse(ok.body.toString()) as Result<{ path: string }>;
    assert.ok(uploaded.ok);
    assert.ok(uploaded.value.path.startsWith(join(home, 'inbox')));
    assert.equal(uploaded.value.path.split('/').pop(), 'coins.png');
    assert.deepEqual(readFileSync(uploaded.value.path), bytes);

    const refused = await http(port, '/api/uploads?name=notes.png', { method: 'POST', body: 'just text', headers: { 'x-heirloom-token': token } });
    assert.equal(refused.status, 422);
    const answer = JSON.parse(refused.body.toString()) as Result<unknown>;
    assert.equal(answer.ok, false);
    assert.ok(!answer.ok && !answer.error.message.includes(home), 'the inbox path is not revealed');
    const inboxRun = dirname(dirname(uploaded.value.path));
    assert.equal(readdirSync(inboxRun).length, 1, 'the refused upload left nothing behind');
    assert.ok(existsSync(uploaded.value.path));
  });

  it('makes plain, safe file names', () => {
    assert.equal(safeFileName('../../etc/passwd'), 'passwd');
    assert.equal(safeFileName('C:\\Users\\me\\scan 1.tif'), 'scan 1.tif');
    assert.equal(safeFileName('.hidden.jpg'), 'hidden.jpg');
    assert.equal(safeFileName('a\u0000b<c>.png'), 'a_b_c_.png');
    assert.equal(safeFileName(''), 'photo');
    assert.equal(safeFileName('..'), 'photo');
  });
});
