import { promises as fs } from 'node:fs';
import { extname, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface RendererAsset {
  data: Buffer;
  contentType: string;
}

/**
 * A file of the built renderer (dist/renderer) for a URL path, or undefined. The path is
 * decoded and normalised and must stay inside the folder: `..`, encoded separators and
 * absolute paths cannot reach anything else. "/" is index.html.
 */
export async function readRendererAsset(root: string, urlPath: string): Promise<RendererAsset | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const base = resolve(root);
  const file = resolve(base, relative);
  if (!file.startsWith(base + sep)) return undefined;
  const contentType = CONTENT_TYPES[extname(file).toLowerCase()];
  if (!contentType) return undefined;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return undefined;
    return { data: await fs.readFile(file), contentType };
  } catch {
    return undefined;
  }
}
