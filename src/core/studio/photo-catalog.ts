import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { PhotoRef } from '../../shared/contract-views.js';
import { HeirloomError } from '../../shared/errors.js';
import { renderThumbnail, renderViewable, type RenderedImage } from '../imaging/preview.js';

export type ImageVariant = 'thumbnail' | 'image';

/** Builds the URL the page loads an image from (custom protocol in Electron, token route in serve). */
export type ImageUrlBuilder = (grantId: string, variant: ImageVariant) => string;

export interface ImageRenderer {
  thumbnail(file: string): Promise<RenderedImage>;
  image(file: string): Promise<RenderedImage>;
}

export const sharpImageRenderer: ImageRenderer = {
  thumbnail: (file) => renderThumbnail(file, 256),
  image: (file) => renderViewable(file),
};

const GRANT_ID = /^[A-Za-z0-9_-]{22}$/;
const THUMBNAIL_CACHE_ENTRIES = 256;

/**
 * The photos the page may see. The studio grants an unguessable id for each file it knows
 * (queued, restored, in the history, uploaded) and the page gets capability URLs built
 * from it; the image routes serve only granted ids, so the page cannot read any other
 * file. Thumbnails are cached (keyed by size and modification time).
 */
export class PhotoCatalog {
  private readonly idByPath = new Map<string, string>();
  private readonly pathById = new Map<string, string>();
  private readonly thumbnails = new Map<string, RenderedImage>();

  constructor(
    private readonly urlFor: ImageUrlBuilder,
    private readonly renderer: ImageRenderer = sharpImageRenderer,
  ) {}

  /** A reference the page can display; grants the file. */
  ref(path: string): PhotoRef {
    const absolute = resolve(path);
    let id = this.idByPath.get(absolute);
    if (!id) {
      id = randomBytes(16).toString('base64url');
      this.idByPath.set(absolute, id);
      this.pathById.set(id, absolute);
    }
    return { path: absolute, name: basename(absolute), thumbnailUrl: this.urlFor(id, 'thumbnail'), imageUrl: this.urlFor(id, 'image') };
  }

  /** The file behind a grant id, or undefined for an id never granted (or malformed). */
  lookup(grantId: string): string | undefined {
    return GRANT_ID.test(grantId) ? this.pathById.get(grantId) : undefined;
  }

  /** Renders a granted image; NOT_FOUND for an unknown id (the route answers 404). */
  async render(grantId: string, variant: ImageVariant): Promise<RenderedImage> {
    const file = this.lookup(grantId);
    if (!file) throw new HeirloomError('NOT_FOUND', 'This image is not known to Heirloom (the link is stale or was never issued). Reload the page.');
    if (variant === 'image') return this.renderer.image(file);
    let key: string;
    try {
      const stat = await fs.stat(file);
      key = `${file}\u0000${stat.size}\u0000${stat.mtimeMs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new HeirloomError('NOT_FOUND', `${file} no longer exists, so it cannot be shown. It may have been moved or deleted.`, { file });
      return this.renderer.thumbnail(file); // reports the real error (e.g. no permission)
    }
    const cached = this.thumbnails.get(key);
    if (cached) {
      this.thumbnails.delete(key);
      this.thumbnails.set(key, cached); // most recently used last
      return cached;
    }
    const rendered = await this.renderer.thumbnail(file);
    this.thumbnails.set(key, rendered);
    if (this.thumbnails.size > THUMBNAIL_CACHE_ENTRIES) this.thumbnails.delete(this.thumbnails.keys().next().value!);
    return rendered;
  }
}
