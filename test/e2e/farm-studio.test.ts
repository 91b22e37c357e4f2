/**
 * Issue #18 in the studio (real Chromium against `heirloom serve`, a real redis-server
 * with a password, a real `heirloom worker`): Settings' Farm card keeps the URL and shows
 * it without the password; the Devices card lists the farm's workers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import sharp from 'sharp';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ensureRendererBuilt } from './renderer-build.js';
import { startServe } from './serve-process.js';
import { startRedis } from '../helpers/redis-server.js';
import { HeirloomChild } from '../cli/restore-resume-helpers.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

test('studio: the Farm setting (shown without its password), the farm\'s workers in the Devices card, and a job sent to the farm from the Restore screen', { timeout: 180_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install it with "apt-get install -y chromium".`);
  ensureRendererBuilt();
  const password = 'e2e-farm-pa55';
  const redis = await startRedis({ requirePass: password });
  const home = mkdtempSync(join(tmpdir(), 'heirloom-e2e-farm-'));
  const worker = new HeirloomChild(['worker', '--redis', redis.url, '--home', join(home, 'worker'), '--name', 'lab-gpu-1']);
  const serve = await startServe(join(home, 'studio'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(60_000);
    await page.goto(serve.url);
    await page.click('[data-testid=nav-settings]');
    await page.waitForSelector('[data-testid=farm-current]:has-text("No farm set")');
    await page.fill('[data-testid=farm-url]', redis.url);
    await page.click('[data-testid=farm-save]');
    await page.waitForSelector(`[data-testid=farm-current]:has-text("redis://:***@127.0.0.1:${redis.port}")`);
    assert.ok(readFileSync(join(home, 'studio', 'farm.json'), 'utf8').includes(password), 'the host keeps the URL to connect with');

    assert.ok(await worker.until(() => worker.stderr.includes('worker lab-gpu-1 restoring from'), 60_000), worker.stderr);
    await page.click('[data-testid=nav-restore]');
    await page.waitForSelector('[data-testid=farm-worker]:has-text("lab-gpu-1")', { timeout: 30_000 });
    const panel = (await page.textContent('[data-testid=device-panel]')) ?? '';
    assert.match(panel, /Farm redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: 0 waiting, 0 restoring/);

    // "Send to the farm": the job goes to the worker; the queue card finishes as for a local job.
    const share = join(home, 'share');
    mkdirSync(join(share, 'in'), { recursive: true });
    await sharp({ create: { width: 24, height: 20, channels: 3, background: { r: 120, g: 90, b: 60 } } }).png().toFile(join(share, 'in', 'print-001.png'));
    await page.fill('[data-testid=path-input]', join(share, 'in', 'print-001.png'));
    await page.click('[data-testid=add-path]');
    await page.fill('[data-testid=option-outdir]', join(share, 'out'));
    await page.check('[data-testid=send-to-farm]');
    await page.click('[data-testid=start-job]');
    await page.waitForSelector('[data-testid=queue-item][data-state=finished]', { timeout: 120_000 });
    assert.deepEqual(readdirSync(join(share, 'out')), ['print-001.png']);
    assert.match(worker.stderr, /print-001\.png -> .*print-001\.png/, 'the worker restored it');
    await page.waitForSelector('[data-testid=farm-worker]:has-text("1 done")', { timeout: 30_000 });
    mkdirSync(join(repo, 'test-results/e2e'), { recursive: true });
    await page.screenshot({ path: join(repo, 'test-results/e2e/farm-devices.png'), fullPage: true });
    assert.ok(!(await page.content()).includes(password), 'the page never holds the password');
  } finally {
    await browser.close();
    await serve.stop();
    await worker.kill('SIGKILL');
    await redis.stop();
    rmSync(home, { recursive: true, force: true });
  }
});
