import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { installNavigationGuards, isVettedExternalUrl, type GuardedContents } from '../../src/main/navigation-guard.js';
import { APP_ENTRY_URL, isAppUrl } from '../../src/main/app-protocol.js';

class FakeContents implements GuardedContents {
  readonly listeners = new Map<string, (event: { preventDefault(): void; url?: string }, url: string) => void>();
  openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  on(event: string, listener: (event: { preventDefault(): void; url?: string }, url: string) => void) {
    this.listeners.set(event, listener);
    return this;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }) {
    this.openHandler = handler;
  }
  /** Fires an event; returns whether the guard prevented it. */
  fire(name: string, url: string, onEvent = true): boolean {
    let prevented = false;
    this.listeners.get(name)!({ preventDefault: () => (prevented = true), ...(onEvent ? { url } : {}) }, url);
    return prevented;
  }
}

describe('navigation guards', () => {
  it('let the window show only app pages; everything else is cancelled', () => {
    const contents = new FakeContents();
    const opened: string[] = [];
    installNavigationGuards(contents, (url) => opened.push(url));
    assert.equal(contents.fire('will-navigate', APP_ENTRY_URL), false);
    assert.equal(contents.fire('will-navigate', 'heirloom://app/index.html#/history'), false);
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'http://127.0.0.1:3000/', 'heirloom://other/index.html', 'heirloom://user:pw@app/index.html', 'javascript:alert(1)', 'data:text/html,hi', 'not a url']) {
      assert.equal(contents.fire('will-navigate', url), true, url);
      assert.equal(contents.fire('will-redirect', url, false), true, url);
    }
    assert.equal(contents.fire('will-attach-webview', 'about:blank'), true);
    assert.deepEqual(opened, []);
  });

  it('deny every new window; a vetted https link opens in the browser instead', () => {
    const contents = new FakeContents();
    const opened: string[] = [];
    installNavigationGuards(contents, (url) => opened.push(url));
    assert.deepEqual(contents.openHandler!({ url: 'https://github.com/xinntao/Real-ESRGAN' }), { action: 'deny' });
    assert.deepEqual(contents.openHandler!({ url: 'https://evil.example/' }), { action: 'deny' });
    assert.deepEqual(contents.openHandler!({ url: 'http://github.com/' }), { action: 'deny' });
    assert.equal(contents.fire('will-navigate', 'https://huggingface.co/some/model'), true);
    assert.deepEqual(opened, ['https://github.com/xinntao/Real-ESRGAN', 'https://huggingface.co/some/model']);
  });

  it('vets external URLs strictly', () => {
    assert.equal(isVettedExternalUrl('https://github.com/a/b'), true);
    for (const url of ['http://github.com/', 'https://github.com.evil.example/', 'https://evil.example/?https://github.com', 'https://user@github.com/', 'https://github.com:8443/', 'file:///etc', 'javascript:alert(1)', 'garbage']) {
      assert.equal(isVettedExternalUrl(url), false, url);
    }
    assert.equal(isAppUrl('heirloom://app/x'), true);
    assert.equal(isAppUrl('heirloom://app.evil/x'), false);
  });
});
