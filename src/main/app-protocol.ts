/**
 * The app's own scheme, heirloom://app/...: the renderer's files and the granted images,
 * served from one origin so the CSP can say 'self' and nothing else. No file:// pages, no
 * remote content.
 */
import { contentSecurityPolicy, securityHeaders } from '../core/studio/content-security-policy.js';
import type { ImageVariant } from '../core/studio/photo-catalog.js';
import { readRendererAsset } from '../core/studio/renderer-assets.js';
import type { RenderedImage } from '../core/imaging/preview.js';
import { toErrorInfo } from '../shared/errors.js';

export const APP_SCHEME = 'heirloom';
export const APP_HOST = 'app';
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** registerSchemesAsPrivileged's entry: a standard, secure scheme (origin, CSP 'self', fetch). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
} as const;

const IMAGES_PREFIX = '/images/';

/** Image URLs handed to the page in Electron: same origin as the page, so img-src 'self' covers them. */
export function electronImageUrl(grantId: string, variant: ImageVariant): string {
  return `${APP_SCHEME}://${APP_HOST}${IMAGES_PREFIX}${grantId}/${variant}`;
}

/** Whether a URL is a page of the app (the only content the window may show). */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

export interface AppProtocolDeps {
  rendererDir: string;
  renderImage(grantId: string, variant: ImageVariant): Promise<RenderedImage>;
}

/** protocol.handle's handler, a plain Request -> Response function (tested without Electron). */
export function createAppProtocolHandler(deps: AppProtocolDeps): (request: Request) => Promise<Response> {
  const csp = contentSecurityPolicy();
  return async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return text(404, 'Not found.');
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method not allowed.');
    if (url.pathname.startsWith(IMAGES_PREFIX)) {
      const [grantId, variant] = url.pathname.slice(IMAGES_PREFIX.length).split('/');
      if (!grantId || (variant !== 'thumbnail' && variant !== 'image')) return text(404, 'Not found.');
      try {
        const image = await deps.renderImage(grantId, variant);
        return new Response(new Uint8Array(image.data), { status: 200, headers: { 'Content-Type': image.contentType, 'Cache-Control': 'private, max-age=60', 'X-Content-Type-Options': 'nosniff' } });
      } catch (error) {
        const info = toErrorInfo(error);
        return text(info.code === 'NOT_FOUND' ? 404 : 422, info.message);
      }
    }
    const asset = await readRendererAsset(deps.rendererDir, url.pathname);
    if (!asset) return text(404, 'Not found.');
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(asset.data), { status: 200, headers: { ...securityHeaders(csp), 'Content-Type': asset.contentType } });
  };
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' } });
}
