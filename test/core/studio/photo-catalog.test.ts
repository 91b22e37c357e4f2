import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PhotoCatalog, type ImageRenderer } from '../../../src/core/studio/photo-catalog.js';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('../../fixtures/e2e/coins.png', import.meta.url));

function countingRenderer(): ImageRenderer & { thumbnails: number } {
  const renderer = {
    thumbnails: 0,
    async thumbnail(file: string) {
      renderer.thumbnails++;
      return { data: Buffer.from(`thumb of ${file}`), contentType: 'image/webp' };
    },
    async image(file: string) {
      return { data: Buffer.from(`image of ${file}`), contentType: 'image/png' };
    },
  };
  return renderer;
}

describe('PhotoCatalog', () => {
  it('grants one unguessable id per file and builds both URLs from it', () => {
    const catalog = new PhotoCatalog((id, variant) => `x/${id}/${variant}`, countingRenderer());
    const a = catalog.ref(fixture);
    const again = catalog.ref(fixture);
    assert.deepEqual(a, again);
    const id = /^x\/([^/]+)\/thumbnail$/.exec(a.thumbnailUrl)![1]!;
    assert.match(id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(a.imageUrl, `x/${id}/image`);
    assert.equal(a.name, 'coins.png');
    assert.equal(catalog.lookup(id), fixture);
    assert.notEqual(catalog.ref('/elsewhere/coins.png').thumbnailUrl, a.thumbnailUrl);
    assert.equal(catalog.lookup('B'.repeat(22)), undefined, 'an id never granted names no file');
  });

  it('renders only granted ids, and caches thumbnails of unchanged files', async () => {
    const renderer = countingRenderer();
    const catalog = new PhotoCatalog((id, variant) => `${id}|${variant}`, renderer);
    const id = catalog.ref(fixture).thumbnailUrl.split('|')[0]!;
    const first = await catalog.render(id, 'thumbnail');
    const second = await catalog.render(id, 'thumbnail');
    assert.equal(first, second);
    assert.equal(renderer.thumbnails, 1);
    assert.equal((await catalog.render(id, 'image')).contentType, 'image/png');
    for (const bad of ['', 'A'.repeat(22), '../etc/passwd', fixture]) {
      await assert.rejects(catalog.render(bad, 'image'), { code: 'NOT_FOUND' });
    }
  });

  it('makes real thumbnails with sharp: WebP, at most 256 px, never enlarged', async () => {
    const catalog = new PhotoCatalog((id) => id);
    const id = catalog.ref(fixture).thumbnailUrl;
    const thumb = await catalog.render(id, 'thumbnail');
    assert.equal(thumb.contentType, 'image/webp');
    assert.deepEqual([...thumb.data.subarray(8, 12)].map((c) => String.fromCharCode(c)).join(''), 'WEBP');
    const whole = await catalog.render(id, 'image');
    assert.equal(whole.contentType, 'image/png', 'a PNG is sent as it is');
    assert.equal(whole.data.length, (await import('node:fs')).statSync(fixture).size);
  });
});
