/**
 * Issue #18 in the studio (real Chromium against `heirloom serve`, a real redis-server
 * with a password, a real `heirloom worker`): Settings' Farm card keeps the URL and shows
 * it without the password; the Devices card lists the farm's workers; History shows where
 * each photo ran; Pause and Cancel of a farm job take back what no worker started, and
 * History's Resume sends the rest.
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
import { Queue } from 'bullmq';
import { HeirloomChild } from '../cli/restore-resume-helpers.js';
import { FARM_PREFIX, FARM_QUEUE, redisOptionsFromUrl } from '../../src/core/farm/farm-connection.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

test('studio: the Farm setting (shown without its password), the farm\'s workers in the Devices card, a job sent to the farm, where each photo ran, Pause/Cancel/Resume of a farm job', { timeout: 300_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install it with "apt-get install -y chromium".`);
  ensureRendererBuilt();
  const password = 'e2e-farm-pa55';
  const redis = await startRedis({ requirePass: password });
  const home = mkdtempSync(join(tmpdir(), 'heirloom-e2e-farm-'));
  const worker = new HeirloomChild(['worker', '--redis', redis.url, '--home', join(home, 'worker'), '--name', 'lab-gpu-1']);
  let second: HeirloomChild | undefined;
  const queue = new Queue(FARM_QUEUE, { connection: redisOptionsFromUrl(redis.url), prefix: FARM_PREFIX });
  const waiting = async (count: number) => {
    const end = Date.now() + 60_000;
    while ((await queue.getWaitingCount()) !== count) {
      assert.ok(Date.now() < end, `the farm queue never held ${count} waiting photos`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
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

    // History: the farm job, and the worker each photo ran on.
    await page.click('[data-testid=nav-history]');
    await page.waitForSelector('[data-testid=history-job][data-status=finished] [data-testid=history-ran-on]:has-text("on lab-gpu-1")');

    // No worker now: a farm job of three photos waits in the queue. Pause takes them back from the queue
    // (nothing had started); Cancel ends the job with its photos cancelled in History.
    await worker.kill('SIGKILL');
    mkdirSync(join(share, 'box-2'));
    for (let i = 0; i < 3; i++) await sharp({ create: { width: 20, height: 18, channels: 3, background: { r: 30 + i * 40, g: 90, b: 60 } } }).png().toFile(join(share, 'box-2', `print-10${i}.png`));
    await page.click('[data-testid=nav-restore]');
    await page.fill('[data-testid=path-input]', join(share, 'box-2'));
    await page.click('[data-testid=add-path]');
    await page.fill('[data-testid=option-outdir]', join(share, 'out-2'));
    await page.check('[data-testid=send-to-farm]');
    await page.click('[data-testid=start-job]');
    await waiting(3);
    await page.click('[data-testid=pause-queue]');
    await waiting(0);
    await page.waitForSelector('[data-testid=queue-item][data-state=paused]');
    await page.click('[data-testid=queue-item][data-state=paused] [data-testid=cancel-job]');
    await page.waitForSelector('[data-testid=queue-item][data-state=cancelled]');
    await page.click('[data-testid=resume-queue]');
    assert.equal(await queue.getWaitingCount(), 0, 'the cancelled job left nothing in the farm queue');

    // A worker comes back; History's Resume sends the cancelled job's photos again, into the same job.
    second = new HeirloomChild(['worker', '--redis', redis.url, '--home', join(home, 'worker-2'), '--name', 'lab-gpu-2']);
    assert.ok(await second.until(() => second!.stderr.includes('worker lab-gpu-2 restoring from'), 60_000), second.stderr);
    await page.click('[data-testid=nav-history]');
    const cancelled = page.locator('[data-testid=history-job][data-status=cancelled]');
    await cancelled.waitFor();
    assert.equal(await cancelled.locator('[data-testid=history-file][data-status=cancelled]').count(), 3);
    const jobId = await cancelled.getAttribute('data-job-id');
    if (!(await cancelled.evaluate((el) => (el as unknown as { open: boolean }).open))) await cancelled.locator('summary').click();
    await cancelled.locator('[data-testid=resume-job]').click();
    const resumed = page.locator(`[data-testid=history-job][data-job-id="${jobId}"][data-status=finished]`);
    for (let i = 0; i < 120 && (await resumed.count()) === 0; i++) {
      await page.waitForTimeout(500);
      await page.click('[data-testid=nav-restore]');
      await page.click('[data-testid=nav-history]');
    }
    await resumed.waitFor();
    if (!(await resumed.evaluate((el) => (el as unknown as { open: boolean }).open))) await resumed.locator('summary').click();
    assert.equal(await resumed.locator('[data-testid=history-ran-on]:has-text("on lab-gpu-2")').count(), 3, 'each photo names the worker it ran on');
    assert.deepEqual(readdirSync(join(share, 'out-2')).sort(), ['print-100.png', 'print-101.png', 'print-102.png']);
    await page.screenshot({ path: join(repo, 'test-results/e2e/farm-history.png'), fullPage: true });
  } finally {
    await second?.kill('SIGKILL');
    await queue.close();
    await browser.close();
    await serve.stop();
    await worker.kill('SIGKILL');
    await redis.stop();
    rmSync(home, { recursive: true, force: true });
  }
});
