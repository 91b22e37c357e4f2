import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium, headless, with one page at the suites' viewport; `errors` collects the
 * page's uncaught errors, console errors and failed responses (tokens masked), which a
 * suite asserts empty at its end. With `url`, the page opens the studio there and waits for it.
 */
export async function openStudioBrowser(url?: string): Promise<{ browser: Browser; page: Page; errors: string[] }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url().replace(/token=[^&#]+/, 'token=…')}`);
  });
  if (url) {
    await page.goto(url);
    await page.waitForSelector('[data-testid=nav-restore][aria-current=page]');
  }
  return { browser, page, errors };
}

/** Waits until `count` images matching `selector` have loaded (decoded, with a size), up to a minute. */
export async function imagesLoaded(page: Page, selector: string, count: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const loaded = await page.locator(selector).evaluateAll((imgs: Array<{ complete: boolean; naturalWidth: number }>) => imgs.filter((img) => img.complete && img.naturalWidth > 0).length);
    if (loaded >= count) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`${count} images ${selector} did not load`);
}
