import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

/** Waits until `count` images matching `selector` have loaded (decoded, with a size), up to a minute. */
export async function imagesLoaded(page: Page, selector: string, count: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const loaded = await page.locator(selector).evaluateAll((imgs: Array<{ complete: boolean; naturalWidth: number }>) => imgs.filter((img) => img.complete && img.naturalWidth > 0).length);
    if (loaded >= count) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`${count} images ${selector} did not load`);
}
