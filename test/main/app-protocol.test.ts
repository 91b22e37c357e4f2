import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeirloomError } from '../../src/shared/errors.js';
import { APP_ENTRY_URL, APP_SCHEME_PRIVILEGES, createAppProtocolHandler, electronImageUrl } from '../../src/main/app-protocol.js';
import { electronContentSecurityPolicy } from '../../src/main/csp.js';

describe('heirloom:// protocol handler', () => {
  let handler: (request: Request) => Promise<Response>;
  before(() => {
    const root = mkdtempSync(join(tmpdir(), 'heirloom-protocol-'));
    const renderer = join(root, 'renderer');
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>studio</title>');
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'secret');
    handler = createAppProtocolHandler({
      rendererDir: renderer,
      renderImage: async (id, variant) => {
        if (id !== 'G'.repeat(22)) throw new HeirloomError('NOT_FOUND', 'unknown');
        return { data: Buffer.from(`${variant} bytes`), contentType: 'image/webp' };
      },
    });
  });

  it('is a standard, secure scheme (an origin for CSP and the sender check)', () => {
    assert.equal(APP_SCHEME_PRIVILEGES.privileges.standard, true);
    assert.equal(APP_SCHEME_PRIVILEGES.privileges.secure, true);
  });

  it('serves the renderer with the CSP', async () => {
    const page = await handler(new Request(APP_ENTRY_URL));
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-security-policy'), electronContentSecurityPolicy());
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal((await handler(new Request('heirloom://app/assets/app.js'))).headers.get('content-type'), 'text/javascript; charset=utf-8');
  });

  it('serves granted images by id and nothing else', async () => {
    const image = await handler(new Request(electronImageUrl('G'.repeat(22), 'thumbnail')));
    assert.equal(image.status, 200);
    assert.equal(await image.text(), 'thumbnail bytes');
    assert.equal((await handler(new Request(electronImageUrl('H'.repeat(22), 'image')))).status, 404);
    assert.equal((await handler(new Request('heirloom://app/images/x/raw'))).status, 404);
  });

  it('refuses paths outside the renderer, other hosts and other methods', async () => {
    for (const url of ['heirloom://app/../secret.txt', 'heirloom://app/%2e%2e/secret.txt', 'heirloom://app/assets/..%2f..%2fsecret.txt', 'heirloom://app/%2e%2e%5csecret.txt', 'heirloom://other/index.html', 'heirloom://app/nothing.html']) {
      const answer = await handler(new Request(url));
      assert.equal(answer.status, 404, url);
      assert.doesNotMatch(await answer.text(), /secret/);
    }
    assert.equal((await handler(new Request(APP_ENTRY_URL, { method: 'POST', body: 'x' }))).status, 405);
  });
});
