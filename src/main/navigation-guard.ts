import { isAppUrl } from './app-protocol.js';

/** Sites "Learn more" and licence links may open in the user's browser; nothing else is ever opened. */
export const VETTED_EXTERNAL_HOSTS: ReadonlySet<string> = new Set(['github.com', 'huggingface.co', 'onnxruntime.ai', 'www.electronjs.org']);

/** https, a vetted host, default port, no credentials: only then may a URL leave the app. */
export function isVettedExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && VETTED_EXTERNAL_HOSTS.has(parsed.hostname) && parsed.port === '' && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

interface PreventableEvent {
  preventDefault(): void;
}

/** The parts of WebContents the guards use (a fake in tests). */
export interface GuardedContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent & { url?: string }, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * The window never leaves the app: navigation to anything but heirloom://app is cancelled,
 * new windows are denied (a vetted https link opens in the user's browser instead), and
 * <webview> cannot be attached.
 */
export function installNavigationGuards(contents: GuardedContents, openExternal: (url: string) => void): void {
  const guard = (event: PreventableEvent & { url?: string }, legacyUrl: string) => {
    const url = event.url ?? legacyUrl; // Electron >= 25 puts it on the event; the argument is deprecated
    if (isAppUrl(url)) return;
    event.preventDefault();
    if (isVettedExternalUrl(url)) openExternal(url);
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isVettedExternalUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
}
