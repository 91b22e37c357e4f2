import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { electronContentSecurityPolicy, withContentSecurityPolicy } from '../../src/main/csp.js';
import { contentSecurityPolicy } from '../../src/core/studio/content-security-policy.js';

function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));
}

describe('content security policy', () => {
  it('allows only the app itself: no inline script, no eval, no remote hosts, no frames, no plugins', () => {
    const policy = directives(electronContentSecurityPolicy());
    assert.deepEqual(policy.get('default-src'), ["'none'"]);
    assert.deepEqual(policy.get('script-src'), ["'self'"]);
    assert.deepEqual(policy.get('style-src'), ["'self'"]);
    assert.deepEqual(policy.get('connect-src'), ["'self'"]);
    assert.deepEqual(policy.get('object-src'), ["'none'"]);
    assert.deepEqual(policy.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(policy.get('base-uri'), ["'none'"]);
    assert.deepEqual(policy.get('form-action'), ["'none'"]);
    const all = electronContentSecurityPolicy();
    assert.doesNotMatch(all, /unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('adds exactly the serve bridge socket when asked', () => {
    const policy = directives(contentSecurityPolicy({ connect: ['ws://127.0.0.1:4000/api/socket'] }));
    assert.deepEqual(policy.get('connect-src'), ["'self'", 'ws://127.0.0.1:4000/api/socket']);
  });

  it('replaces any policy a response carried', () => {
    const headers = withContentSecurityPolicy({ 'content-security-policy': ["default-src *"], 'Content-Type': 'text/html' });
    assert.deepEqual(headers['Content-Security-Policy'], [electronContentSecurityPolicy()]);
    assert.equal(headers['content-security-policy'], undefined);
    assert.deepEqual(headers['Content-Type'], ['text/html']);
  });
});
