/**
 * The studio end to end: real Chromium (Debian's /usr/bin/chromium via playwright-core)
 * against `heirloom serve` with the real core (SQLite, sharp, ONNX Runtime and the fast
 * bundled model). Screenshots of every screen go to test-results/e2e/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, imagesLoaded, openStudioBrowser } from './page-helpers.js';
import { ensureRendererBuilt } from './renderer-build.js';
import { startServe, type ServeProcess } from './serve-process.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(repo, 'test/fixtures/e2e');
const shots = join(repo, 'test-results/e2e');

/** Records every state each photo row showed, so a fast job's progress cannot slip between two polls. */
const RECORD_ROWS = `
  window.__rows = [];
  window.__batches = [];
  new MutationObserver(() => {
    for (const row of document.querySelectorAll('[data-testid=photo-row]')) {
      const state = row.dataset.name + '|' + row.dataset.status + '|' + row.dataset.stage + '|' + (row.querySelector('[data-testid=photo-percent]')?.textContent ?? '');
      if (!window.__rows.includes(state)) window.__rows.push(state);
    }
    const batch = document.querySelector('[data-testid=recommended-batch]')?.textContent;
    if (batch && !window.__batches.includes(batch)) window.__batches.push(batch);
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
`;

/**
 * Waits until `count` images matching `selector` have decoded. Polled from the test side:
 * the page's CSP (script-src 'self', no eval) rightly refuses Playwright's string predicates.
 */

describe('studio end to end (Chromium + heirloom serve)', { timeout: 180_000 }, () => {
  let home: string;
  let out: string;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const nav = async (view: string) => {
    await page.click(`[data-testid=nav-${view}]`);
    await page.waitForSelector(`[data-testid=nav-${view}][aria-current=page]`);
  };

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install it with "apt-get install -y chromium".`);
    assert.ok(existsSync(join(repo, 'models/realesr-general-x4v3/model.onnx')), 'the bundled model realesr-general-x4v3 is missing from models/.');
    ensureRendererBuilt();
    mkdirSync(shots, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'heirloom-e2e-'));
    out = join(home, 'restored');
    serve = await startServe(home);
    ({ browser, page, errors: pageErrors } = await openStudioBrowser());
    await page.addInitScript(RECORD_ROWS);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('opens only with the token from the printed address', async () => {
    await page.goto(serve.url.replace(/#.*$/, ''));
    await page.waitForSelector('.startup-error');
    assert.match(await page.textContent('.startup-error') ?? '', /address "heirloom serve" printed/);
    // The printed address in the same tab: only the fragment (the token) changes, and the page loads with it.
    await page.goto(serve.url);
    await page.waitForSelector('[data-testid=nav-restore][aria-current=page]');
    pageErrors.length = 0;
  });

  it('adds three photos, restores them with live per-photo progress and the recommended batch size; pause holds the job', async () => {
    // Two photos picked through the file chooser (uploaded into the run's inbox), one by typed path.
    await page.setInputFiles('[data-testid=add-photos-input]', [join(fixtures, 'chelsea.png'), join(fixtures, 'coins.png')]);
    await page.fill('[data-testid=path-input]', join(fixtures, 'astronaut.png'));
    await page.click('[data-testid=add-path]');
    // A fourth photo that disappears before the job starts: it must fail alone, with core's message.
    const vanishing = join(home, 'scans', 'faded-wedding.png');
    mkdirSync(join(home, 'scans'));
    copyFileSync(join(fixtures, 'chelsea.png'), vanishing);
    await page.fill('[data-testid=path-input]', vanishing);
    await page.click('[data-testid=add-path]');
    await page.locator('[data-testid=draft-item] img').nth(3).waitFor();
    assert.equal(await page.locator('[data-testid=draft-item]').count(), 4);
    await imagesLoaded(page, '[data-testid=draft-item] img', 4);
    await page.fill('[data-testid=option-outdir]', out);
    // 64 px tiles: several batches per photo, so the job is still running when paused.
    await page.click('[data-testid=advanced] summary');
    await page.selectOption('[data-testid=option-tile]', '64');
    await shot('01-restore-ready');
    rmSync(vanishing);

    await page.click('[data-testid=start-job]');
    await page.waitForSelector('[data-testid=queue-item]');
    // The device panel shows what the scheduler uses, from its progress events.
    await page.waitForSelector('[data-testid=device-sentence]');
    // The photo's tiles split its sides into equal parts of at most the chosen 64 px (issue 14's balanced plans).
    const sentence = (await page.textContent('[data-testid=device-sentence]')) ?? '';
    const sentenceTile = /^Using batch \d+ (?:of up to \d+ \((\d+) px tiles\): this device is fastest|of (\d+) px tiles: as many as fit)/.exec(sentence);
    assert.ok(sentenceTile && Number(sentenceTile[1] ?? sentenceTile[2]) <= 64, sentence);
    await page.click('[data-testid=pause-queue]');
    await page.waitForSelector('[data-testid=queue-item][data-state=paused]');
    await page.waitForSelector('[data-testid=queue-paused]');
    const batch = Number(await page.textContent('[data-testid=recommended-batch]'));
    assert.ok(Number.isInteger(batch) && batch >= 1, `recommended batch ${batch}`);
    const tileSize = /^(\d+) px$/.exec((await page.textContent('[data-testid=tile-size]')) ?? '');
    assert.ok(tileSize && Number(tileSize[1]) > 0 && Number(tileSize[1]) <= 64, `tile size ${tileSize?.[0]}`);
    const memory = await page.$('[data-testid=memory-reading]');
    if (memory) assert.match((await page.textContent('[data-testid=memory-budget]')) ?? '', /\d/);
    const doneWhilePaused = await page.$$eval('[data-testid=photo-row][data-status=done]', (rows) => rows.length);
    assert.ok(doneWhilePaused < 3, 'paused before the last photo');
    await shot('02-restore-paused');

    await page.click('[data-testid=resume-queue]');
    // One photo failed, so the job finished with errors (the honest status, issue 15).
    await page.waitForSelector('[data-testid=queue-item][data-state=finished-with-errors]', { timeout: 120_000 });
    assert.equal(await page.$$eval('[data-testid=photo-row][data-status=done]', (rows) => rows.length), 3);
    const failed = page.locator('[data-testid=photo-row][data-status=failed]');
    assert.equal(await failed.count(), 1);
    assert.equal(await failed.getAttribute('data-name'), 'faded-wedding.png');
    const note = failed.locator('[data-testid=error-note]');
    assert.equal(await note.getAttribute('data-code'), 'NOT_FOUND');
    assert.match((await note.textContent()) ?? '', /faded-wedding\.png does not exist.*moved, renamed/s);
    const summary = (await page.textContent('[data-testid=job-summary]')) ?? '';
    assert.match(summary, /100 % · 3 restored · 1 failed/);
    await shot('03-restore-done');

    const seen = (await page.evaluate('window.__rows')) as string[];
    for (const name of ['chelsea.png', 'coins.png', 'astronaut.png']) {
      const states = seen.filter((s) => s.startsWith(`${name}|`));
      assert.ok(states.some((s) => /\|running\|(decoding|inferring|encoding)\|/.test(s)), `${name} showed its progress: ${states.join(', ')}`);
      assert.ok(states.some((s) => s.endsWith('|done|done|100 %')), `${name} finished`);
    }
    assert.ok(seen.some((s) => /\|running\|inferring\|[1-9]\d? %/.test(s)), 'a photo was seen part way through inference');
    for (const name of ['chelsea.png', 'coins.png', 'astronaut.png']) assert.ok(existsSync(join(out, name)), `${name} restored into ${out}`);
  });

  it('compares before and after: dragging the divider, fit and 100 %', async () => {
    await page.click('[data-testid=photo-row][data-name="chelsea.png"] [data-testid=compare-button]');
    await page.waitForSelector('[data-testid=nav-compare][aria-current=page]');
    await imagesLoaded(page, '[data-testid=compare-before], [data-testid=compare-after]', 2);
    assert.deepEqual(await page.$eval('[data-testid=compare-after]', (img: { naturalWidth: number; naturalHeight: number }) => [img.naturalWidth, img.naturalHeight]), [384, 256]);
    assert.deepEqual(await page.$eval('[data-testid=compare-before]', (img: { naturalWidth: number; naturalHeight: number }) => [img.naturalWidth, img.naturalHeight]), [96, 64]);
    const handle = page.locator('[data-testid=compare-handle]');
    assert.equal(await handle.getAttribute('aria-valuenow'), '50');
    const clipBefore = await page.$eval('[data-testid=compare-after]', (img: { style: { clipPath: string } }) => img.style.clipPath);

    const stage = (await page.locator('[data-testid=compare-stage]').boundingBox())!;
    const box = (await handle.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(stage.x + stage.width * 0.25, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    const value = Number(await handle.getAttribute('aria-valuenow'));
    assert.ok(Math.abs(value - 25) <= 1, `divider at ${value} %`);
    assert.notEqual(await page.$eval('[data-testid=compare-after]', (img: { style: { clipPath: string } }) => img.style.clipPath), clipBefore);
    const fitZoom = await page.textContent('[data-testid=compare-zoom]');
    await shot('04-compare-fit');

    await page.click('[data-testid=zoom-actual]');
    await page.locator('[data-testid=compare-zoom]', { hasText: /^100 %$/ }).waitFor();
    assert.notEqual(fitZoom, '100 %', 'fit scales the small photo up to the stage');
    await handle.focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await handle.getAttribute('aria-valuenow'), String(value + 2));
    await shot('05-compare-100');
  });

  it('finds the job in History, newest first, and filters it by status', async () => {
    await nav('history');
    const job = page.locator('[data-testid=history-job]').first();
    await job.waitFor();
    assert.equal(await job.getAttribute('data-status'), 'finished-with-errors');
    assert.equal(await job.locator('[data-testid=history-file][data-status=done]').count(), 3);
    assert.equal(await job.locator('[data-testid=history-file][data-status=failed] [data-testid=error-note]').count(), 1);
    await shot('06-history');
    await page.selectOption('[data-testid=history-filter]', 'cancelled');
    await page.waitForSelector('[data-testid=history-empty]');
    await page.selectOption('[data-testid=history-filter]', 'finished-with-errors');
    await page.waitForSelector('[data-testid=history-job][data-status=finished-with-errors]');
  });

  it('changes a device setting with validation, and it persists across a reload and a restart of serve', async () => {
    await nav('settings');
    const cpu = page.locator('[data-testid=device-card][data-device=cpu]');
    await cpu.waitFor();
    // fp16 is not offered for the CPU provider, and the device line names the CPU once.
    assert.deepEqual(await cpu.locator('[data-testid=setting-precision] option').evaluateAll((os: Array<{ value: string }>) => os.map((o) => o.value)), ['fp32']);
    assert.equal(((await cpu.locator('.device-card-head p').textContent()) ?? '').match(/\bcpu\b/g)?.length ?? 0, 1);
    const maxBatch = cpu.locator('[data-testid=setting-max-batch]');
    // One invalid field keeps the other edits.
    await cpu.locator('[data-testid=setting-tile]').fill('128');
    await maxBatch.fill('99');
    await cpu.locator('[data-testid=error-maxBatch]').waitFor();
    assert.equal(await cpu.locator('[data-testid=setting-tile]').inputValue(), '128');
    assert.equal(await cpu.locator('[data-testid=save-device]').isDisabled(), true);
    await shot('07-settings-validation');
    await maxBatch.fill('3');
    // A fixed tile also spares later jobs (the watch folder's) the one-off tile tuning.
    await cpu.locator('[data-testid=setting-tile]').fill('128');
    await cpu.locator('[data-testid=save-device]').click();
    await page.waitForSelector('[data-testid=notice-info]');
    await page.fill('[data-testid=app-output-dir]', out);
    await page.click('[data-testid=save-app-settings]');
    await shot('08-settings-saved');

    await page.reload();
    await page.waitForSelector('[data-testid=nav-settings][aria-current=page]');
    await page.locator('[data-testid=device-card][data-device=cpu] [data-testid=setting-max-batch]').waitFor();
    assert.equal(await page.inputValue('[data-testid=device-card][data-device=cpu] [data-testid=setting-max-batch]'), '3');

    await serve.stop();
    serve = await startServe(home);
    await page.goto(serve.url); // a new port: a new origin, so the page starts on Restore
    await nav('settings');
    await page.locator('[data-testid=device-card][data-device=cpu] [data-testid=setting-max-batch]').waitFor();
    assert.equal(await page.inputValue('[data-testid=device-card][data-device=cpu] [data-testid=setting-max-batch]'), '3');
    assert.equal(await page.inputValue('[data-testid=device-card][data-device=cpu] [data-testid=setting-tile]'), '128');
    assert.equal(await page.inputValue('[data-testid=app-output-dir]'), out);
  });

  it('watches a folder: add, a new photo is restored (last events), pause, resume, remove', async () => {
    const inbox = join(home, 'scanner');
    const restored = join(home, 'scanner-restored');
    mkdirSync(inbox);
    await nav('watch');
    await page.fill('[data-testid=watch-path]', inbox);
    await page.fill('[data-testid=watch-out]', restored);
    // The app's default format, and the scale choice (x1 to x4, in order).
    assert.equal(await page.inputValue('[data-testid=watch-format]'), 'keep');
    assert.deepEqual(await page.locator('[data-testid=watch-scale] option').evaluateAll((os: Array<{ textContent: string | null }>) => os.map((o) => o.textContent)), ['×1', '×2', '×3', '×4']);
    await page.selectOption('[data-testid=watch-scale]', { label: '×2' });
    // Old prints dropped in are repaired too: the same switches as the Restore screen.
    await page.check('[data-testid=watch-repair-scratches]');
    await page.check('[data-testid=watch-repair-fading]');
    assert.equal(await page.inputValue('[data-testid=watch-repair-fading-strength]'), 'auto');
    await page.click('[data-testid=watch-add]');
    const folder = page.locator('[data-testid=watch-folder]');
    await folder.waitFor();
    assert.match((await folder.locator('[data-testid=watch-stages]').textContent()) ?? '', /^scratch repair, faded colour, upscale ×2 with \S+$/);
    await page.locator('[data-testid=watch-folder][data-state=watching]').waitFor();
    copyFileSync(join(fixtures, 'coins.png'), join(inbox, 'coins.png'));
    await page.locator('[data-testid=watch-events] li[data-kind=done]', { hasText: 'coins.png' }).waitFor({ timeout: 120_000 });
    assert.ok(existsSync(join(restored, 'coins.png')));
    const [source, result] = [await sharp(join(fixtures, 'coins.png')).metadata(), await sharp(join(restored, 'coins.png')).metadata()];
    assert.deepEqual([result.width, result.height], [source.width! * 2, source.height! * 2], 'the watch folder restores at the chosen scale');
    assert.ok(existsSync(join(restored, 'coins.mask.png')), 'repaired, with its damage mask kept beside it');
    await shot('09-watch');
    await page.click('[data-testid=watch-pause]');
    await page.locator('[data-testid=watch-folder][data-state=paused]').waitFor();
    await page.click('[data-testid=watch-resume]');
    await page.locator('[data-testid=watch-folder][data-state=watching]').waitFor();
    await page.click('[data-testid=watch-remove]');
    await folder.waitFor({ state: 'detached' });
  });

  it('keeps the history across the restart, and follows the system dark theme', async () => {
    await nav('history');
    await page.locator('[data-testid=history-job]').first().waitFor();
    await nav('restore');
    await shot('10-restore-after-restart');
    await page.emulateMedia({ colorScheme: 'dark' });
    await nav('history');
    await page.locator('[data-testid=history-job]').first().waitFor();
    await shot('11-history-dark');
    await nav('settings');
    await page.locator('[data-testid=device-card]').first().waitFor();
    await shot('12-settings-dark');
    assert.deepEqual(pageErrors, [], 'no errors in the page');
  });
});
