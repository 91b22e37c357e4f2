import { contentSecurityPolicy } from '../core/studio/content-security-policy.js';

/**
 * The window's Content-Security-Policy: the app's own origin only (heirloom://app), which
 * serves the scripts, styles and the granted images; no inline script, no eval, no remote
 * anything, no frames, no plugins. The protocol handler sends it with every page, and main
 * adds it to any other response the session sees, so nothing loads without it.
 */
export function electronContentSecurityPolicy(): string {
  return contentSecurityPolicy();
}

/** onHeadersReceived's headers with the policy set (replacing any the response had). */
export function withContentSecurityPolicy(headers: Record<string, string[] | string> | undefined, policy = electronContentSecurityPolicy()): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    result[name] = Array.isArray(value) ? value : [value];
  }
  result['Content-Security-Policy'] = [policy];
  return result;
}
