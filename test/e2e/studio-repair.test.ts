/**
 * The studio's repair workflow end to end, as a first session meets it: a fresh data folder
 * and the default output folder, a scratched photo, the repair switches, Compare from the
 * sidebar with the damage mask over the result, zoom to 400 % and pan, side by side, and a
 * damaged file refused when it is added. The damage detector is the near-white stand-in
 * (test/helpers/stand-in-damage-model.ts), so the repaired area is known.
 * Screenshots go to test-results/e2e/ (names starting "repair-").
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, imagesLoaded, openStudioBrowser } from './page-helpers.js';
import { installStandInDamageModel } from '../helpers/stand-in-damage-model.js';
import { ensureRendererBuilt } from './renderer-build.js';
import { startServe, type ServeProcess } from './serve-process.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(repo, 'test/fixtures/e2e');
const shots = join(repo, 'test-results/e2e');

/** A cat with two white scratches (the only near-white pixels, so the stand-in finds exactly them). */
async function scratchedPhoto(dir: string): Promise<string> {
  const width = 120;
  const height = 80;
  const { data } = await sharp(join(fixtures, 'chelsea.png')).resize(width, height).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let i = 0; i < data.length; i++) data[i] = Math.round(data[i]! * 0.8);
  for (let x = 10; x < 110; x++) data.fill(255, (Math.round(10 + x * 0.5) * width + x) * 3, (Math.round(10 + x * 0.5) * width + x) * 3 + 3);
  for (let y = 5; y < 75; y++) for (const x of [60, 61]) data.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
  const file = join(dir, 'scratched-portrait.png');
  await sharp(data, { raw: { width, height, channels: 3 } }).png().toFile(file);
  return file;
}


type Box = { x: number; y: number; width: number; height: number };
const near = (a: number, b: number, tolerance = 1.5) => Math.abs(a - b) <= tolerance;
const sameBox = (a: Box, b: Box) => near(a.x, b.x) && near(a.y, b.y) && near(a.width, b.width) && near(a.height, b.height);

describe('studio repair workflow end to end (Chromium + heirloom serve, first session)', { timeout: 240_000 }, () => {
  let home: string;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let photo: string;
  let pageErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const nav = async (view: string) => {
    await page.click(`[data-testid=nav-${view}]`);
    await page.waitForSelector(`[data-testid=nav-${view}][aria-current=page]`);
  };
  const box = async (selector: string): Promise<Box> => (await page.locator(selector).boundingBox())!;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install it with "apt-get install -y chromium".`);
    ensureRendererBuilt();
    mkdirSync(shots, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'heirloom-e2e-repair-'));
    installStandInDamageModel(home);
    mkdirSync(join(home, 'scans'));
    photo = await scratchedPhoto(join(home, 'scans'));
    serve = await startServe(home);
    ({ browser, page, errors: pageErrors } = await openStudioBrowser(serve.url));
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('restores a scratched photo with the repair switches into the default folder; Compare from the sidebar offers it at once', async () => {
    assert.match((await page.textContent('[data-testid=start-reason]')) ?? '', /Add a photo/);
    assert.equal(await page.locator('[data-testid=start-job]').isDisabled(), true);
    // The scheduler's controls wait under Advanced.
    assert.equal(await page.locator('[data-testid=option-tile]').isVisible(), false);
    // The scale choices run x1..x4, in order.
    assert.deepEqual(await page.locator('[data-testid=option-scale] option').evaluateAll((os: Array<{ value: string }>) => os.map((o) => o.value)), ['1', '2', '3', '4']);

    await page.fill('[data-testid=path-input]', photo);
    await page.click('[data-testid=add-path]');
    await imagesLoaded(page, '[data-testid=draft-item] img', 1);
    await page.check('[data-testid=preset-old-photo]');
    assert.equal(await page.isChecked('[data-testid=repair-scratches]'), true);
    assert.equal(await page.isChecked('[data-testid=repair-fading]'), true);
    assert.equal(await page.isChecked('[data-testid=repair-faces]'), true);
    await page.waitForSelector('[data-testid=repair-no-face-model]');
    // The fading strength: measured per photo unless set.
    assert.equal(await page.inputValue('[data-testid=repair-fading-strength]'), 'auto');
    await page.selectOption('[data-testid=repair-fading-strength]', '75');
    // Faces off again: the switches are separate from the preset.
    await page.uncheck('[data-testid=repair-faces]');
    assert.equal(await page.isChecked('[data-testid=preset-old-photo]'), false);
    assert.equal(await page.locator('[data-testid=start-reason]').count(), 0);
    await shot('repair-01-restore');

    await page.click('[data-testid=start-job]');
    await page.waitForSelector('[data-testid=queue-item][data-state=finished]', { timeout: 180_000 });
    const output = join(home, 'restored', 'scratched-portrait.png');
    assert.ok(existsSync(output), 'restored into the default output folder');
    assert.ok(existsSync(join(home, 'restored', 'scratched-portrait.mask.png')), 'the repair mask is kept beside it');

    // The switches reached the job's settings record, as the CLI's history shows it.
    const history = spawnSync(process.execPath, ['bin/heirloom.mjs', 'history', '--json', '--home', home], { cwd: repo, encoding: 'utf8' });
    assert.equal(history.status, 0, history.stderr);
    const job = JSON.parse(history.stdout.trim().split('\n')[0]!) as { settings: Record<string, unknown> };
    assert.equal(job.settings['scratches'], true);
    assert.equal(job.settings['fading'], true);
    assert.equal(job.settings['fadingStrength'], 75);
    assert.equal(job.settings['saveMasks'], true);
    assert.equal(job.settings['facesIfInstalled'], undefined);

    await nav('compare');
    await page.waitForSelector('[data-testid=compare-title]');
    assert.equal(await page.textContent('[data-testid=compare-title]'), 'scratched-portrait.png');
    assert.match((await page.textContent('[data-testid=compare-caption]')) ?? '', /scratch repair, faded colour, upscale with realesr-general-x4v3 · job /);
  });

  it('shows the damage mask over the result, with a toggle and an opacity', async () => {
    await imagesLoaded(page, '[data-testid=compare-before], [data-testid=compare-after]', 2);
    assert.deepEqual(await page.$eval('[data-testid=compare-after]', (img: { naturalWidth: number; naturalHeight: number }) => [img.naturalWidth, img.naturalHeight]), [480, 320]);
    const overlay = page.locator('[data-testid=compare-mask]');
    assert.equal(await page.isChecked('[data-testid=mask-toggle]'), true);
    const maskUrl = (await overlay.evaluate((el: { style: { maskImage: string } }) => el.style.maskImage)).replace(/^url\("?|"?\)$/g, '');
    const served = await page.request.get(new URL(maskUrl, page.url()).href);
    assert.equal(served.status(), 200, 'the mask image is served');
    const mask = await sharp(await served.body()).greyscale().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([mask.info.width, mask.info.height], [120, 80], 'the mask at the photo\'s own size');
    // The vertical scratch at x = 60..61 is marked; a corner far from both scratches is not.
    assert.ok(mask.data[40 * 120 + 60]! > 127, 'the scratch is in the mask');
    assert.equal(mask.data[78 * 120 + 2], 0, 'untouched corner');

    await page.locator('[data-testid=mask-opacity]').fill('0.9');
    assert.equal(await overlay.evaluate((el: { style: { opacity: string } }) => el.style.opacity), '0.9');
    await page.waitForTimeout(300); // the CSS mask image paints
    await shot('repair-02-compare-mask');
    await page.uncheck('[data-testid=mask-toggle]');
    assert.equal(await overlay.count(), 0);
    await page.check('[data-testid=mask-toggle]');
  });

  it('zooms at the pointer to 400 %, pans by dragging, and before stays aligned with after', async () => {
    const stage = await box('[data-testid=compare-stage]');
    const fit = await box('[data-testid=compare-after]');
    // The wheel zooms at the pointer: the image point under it stays under it.
    const pointer = { x: fit.x + fit.width * 0.3, y: fit.y + fit.height * 0.4 };
    await page.mouse.move(pointer.x, pointer.y);
    await page.mouse.wheel(0, -200);
    let wheeled = await box('[data-testid=compare-after]');
    for (let i = 0; i < 50 && near(wheeled.width, fit.width); i++) {
      await page.waitForTimeout(50);
      wheeled = await box('[data-testid=compare-after]');
    }
    assert.ok(wheeled.width > fit.width * 1.2, `zoomed in: ${fit.width} -> ${wheeled.width}`);
    assert.ok(near(wheeled.x + wheeled.width * 0.3, pointer.x, 2) && near(wheeled.y + wheeled.height * 0.4, pointer.y, 2), 'the point under the pointer stayed');

    for (let i = 0; i < 6 && (await page.textContent('[data-testid=compare-zoom]')) !== '400 %'; i++) await page.click('[data-testid=zoom-in]');
    assert.equal(await page.textContent('[data-testid=compare-zoom]'), '400 %');
    const zoomed = await box('[data-testid=compare-after]');
    assert.ok(near(zoomed.width, 480 * 4) && near(zoomed.height, 320 * 4), `400 % of 480 x 320: ${zoomed.width} x ${zoomed.height}`);
    assert.ok(sameBox(await box('[data-testid=compare-before]'), zoomed), 'before lies exactly under after');

    // Drag to pan, away from the divider.
    const start = { x: stage.x + stage.width * 0.75, y: stage.y + stage.height * 0.5 };
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(start.x - 200, start.y - 120, { steps: 6 });
    await page.mouse.up();
    const panned = await box('[data-testid=compare-after]');
    assert.ok(near(panned.x, zoomed.x - 200) && near(panned.y, zoomed.y - 120), `panned by the drag: ${zoomed.x},${zoomed.y} -> ${panned.x},${panned.y}`);
    assert.ok(sameBox(await box('[data-testid=compare-before]'), panned), 'before still aligned after the pan');
    assert.ok(sameBox(await box('[data-testid=compare-mask]'), panned), 'the mask overlay too');
    await shot('repair-03-compare-400');

    // Double-click: 100 %, and again: fit.
    await page.mouse.dblclick(stage.x + stage.width * 0.7, stage.y + stage.height * 0.5);
    assert.equal(await page.textContent('[data-testid=compare-zoom]'), '100 %');
    await page.mouse.dblclick(stage.x + stage.width * 0.7, stage.y + stage.height * 0.5);
    assert.ok(sameBox(await box('[data-testid=compare-after]'), fit), 'back to fit');
  });

  it('shows before and after side by side with the same zoom and pan', async () => {
    await page.click('[data-testid=mode-side]');
    await page.click('[data-testid=zoom-in]');
    await page.click('[data-testid=zoom-in]');
    const [left, right] = [await box('[data-testid=pane-before]'), await box('[data-testid=pane-after]')];
    const [b, a] = [await box('[data-testid=compare-before]'), await box('[data-testid=compare-after]')];
    assert.ok(near(b.width, a.width) && near(b.height, a.height), 'the same zoom in both panes');
    assert.ok(near(b.x - left.x, a.x - right.x) && near(b.y - left.y, a.y - right.y), 'the same pan in both panes');
    assert.ok(right.x > left.x + left.width - 1, 'after is beside before');
    await shot('repair-04-compare-side-by-side');
    await page.click('[data-testid=mode-slider]');
  });

  it('corrects the mask with the brush (undo, redo, keys) and repairs again beside the earlier output, following the edited mask', async () => {
    await page.click('[data-testid=zoom-fit]');
    await page.click('[data-testid=edit-mask]');
    await page.locator('[data-testid=mask-editor][data-ready=true]').waitFor();
    const canvas = await box('[data-testid=mask-editor]');
    // Photo pixel (x, y) of the 120 x 80 original, on screen.
    const at = (x: number, y: number) => ({ x: canvas.x + ((x + 0.5) / 120) * canvas.width, y: canvas.y + ((y + 0.5) / 80) * canvas.height });
    const stroke = async (from: [number, number], to: [number, number]) => {
      const [a, b] = [at(...from), at(...to)];
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      await page.mouse.move(b.x, b.y, { steps: 12 });
      await page.mouse.up();
    };

    // Keys: E the eraser, ] a bigger brush; erase the lower half of the vertical scratch.
    await page.keyboard.press('e');
    assert.equal(await page.getAttribute('[data-testid=tool-erase]', 'aria-pressed'), 'true');
    const size = Number((await page.textContent('[data-testid=brush-size-value]'))!.replace(/\D/g, ''));
    await page.keyboard.press(']');
    assert.equal(await page.textContent('[data-testid=brush-size-value]'), `${size + 2} px`);
    await stroke([60.5, 52], [60.5, 79]);
    // B the brush: mark a stain the detector missed, bottom left.
    await page.keyboard.press('b');
    await stroke([12, 70], [30, 70]);
    assert.equal(await page.getAttribute('[data-testid=mask-undo]', 'data-count'), '2');
    // A stray stroke, undone with Ctrl+Z, redone and undone again.
    await stroke([100, 70], [110, 70]);
    await page.keyboard.press('Control+z');
    assert.equal(await page.getAttribute('[data-testid=mask-redo]', 'data-count'), '1');
    await page.keyboard.press('Control+Shift+z');
    assert.equal(await page.getAttribute('[data-testid=mask-redo]', 'data-count'), '0');
    await page.click('[data-testid=mask-undo]');
    assert.equal(await page.getAttribute('[data-testid=mask-undo]', 'data-count'), '2');
    await shot('repair-05-brush');

    await page.click('[data-testid=repair-again]');
    const second = join(home, 'restored', 'scratched-portrait (1).png');
    for (let i = 0; i < 1200 && !existsSync(join(home, 'restored', 'scratched-portrait (1).mask.png')); i++) await page.waitForTimeout(100);
    assert.ok(existsSync(second), 'the new output is written beside the earlier one');
    assert.ok(existsSync(join(home, 'restored', 'scratched-portrait.png')), 'the earlier output is kept');

    // The edited mask is kept under the data folder and recorded with the new job.
    const history = spawnSync(process.execPath, ['bin/heirloom.mjs', 'history', '--json', '--home', home], { cwd: repo, encoding: 'utf8' });
    const newest = JSON.parse(history.stdout.trim().split('\n')[0]!) as { settings: Record<string, unknown> };
    const kept = String(newest.settings['maskFile']);
    assert.ok(kept.startsWith(join(home, 'masks')) && kept.endsWith('scratched-portrait.png') && existsSync(kept), `mask kept: ${kept}`);

    // The repaired area follows the edited mask.
    const grey = async (file: string) => (await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true })).data;
    const [firstMask, secondMask] = [await grey(join(home, 'restored', 'scratched-portrait.mask.png')), await grey(join(home, 'restored', 'scratched-portrait (1).mask.png'))];
    const px = (mask: Buffer, x: number, y: number) => mask[y * 120 + x]!;
    assert.ok(px(firstMask, 60, 70) > 127 && px(secondMask, 60, 70) === 0, 'the erased part of the scratch is left alone');
    assert.ok(px(firstMask, 20, 70) === 0 && px(secondMask, 20, 70) > 127, 'the painted stain is repaired');
    assert.ok(px(secondMask, 60, 20) > 127, 'the rest of the scratch is still repaired');
    const brightness = async (file: string, x: number, y: number) => {
      const { data } = await sharp(file).extract({ left: x * 4, top: y * 4, width: 4, height: 4 }).greyscale().raw().toBuffer({ resolveWithObject: true });
      return data.reduce((sum, v) => sum + v, 0) / data.length;
    };
    const [repairedThen, leftNow] = [await brightness(join(home, 'restored', 'scratched-portrait.png'), 60, 70), await brightness(second, 60, 70)];
    assert.ok(leftNow > repairedThen + 40, `the scratch where the mask was erased stays white (${leftNow.toFixed(0)} against ${repairedThen.toFixed(0)} when repaired)`);
    // Only what the edit changed went through the upscaler again: the top-right corner, far from
    // both edits, is the earlier output's byte for byte, and so is most of the photo.
    const [thenRaw, nowRaw] = [await sharp(join(home, 'restored', 'scratched-portrait.png')).raw().toBuffer(), await sharp(second).raw().toBuffer()];
    const samePixel = (x: number, y: number) => [0, 1, 2].every((c) => thenRaw[(y * 480 + x) * 3 + c] === nowRaw[(y * 480 + x) * 3 + c]);
    for (let y = 0; y < 4 * 24; y++) for (let x = 4 * 100; x < 480; x++) assert.ok(samePixel(x, y), `output pixel ${x},${y} (top right) kept from the earlier output`);
    let same = 0;
    for (let y = 0; y < 320; y++) for (let x = 0; x < 480; x++) if (samePixel(x, y)) same++;
    assert.ok(same > 0.5 * 480 * 320, `most of the photo kept: ${same} of ${480 * 320} pixels`);

    // Compare offers the new result too.
    await page.locator('[data-testid=film]', { hasText: 'scratched-portrait (1).png' }).waitFor();

    // The queue says how it was done: only the changed part went through the upscaler again.
    await nav('restore');
    const again = page.locator('[data-testid=queue-item]', { hasText: 'repaired again in part' });
    await again.waitFor();
    assert.match((await again.textContent()) ?? '', /repaired again in part: [\d.<]+ % of the photo recomputed/);
    await shot('repair-05b-repaired-again');
    await nav('compare');
  });

  it('adds a photo dropped anywhere in the window, without navigating to it', async () => {
    await nav('history');
    const before = page.url();
    const png = (await sharp(join(fixtures, 'coins.png')).png().toBuffer()).toString('base64');
    type BrowserGlobals = { DataTransfer: new () => { items: { add(file: unknown): void } }; File: new (parts: unknown[], name: string, options: { type: string }) => unknown; atob(data: string): string; Uint8Array: typeof Uint8Array };
    const dataTransfer = await page.evaluateHandle((base64: string) => {
      const g = globalThis as unknown as BrowserGlobals;
      const bytes = g.Uint8Array.from(g.atob(base64), (c) => c.charCodeAt(0));
      const transfer = new g.DataTransfer();
      transfer.items.add(new g.File([bytes], 'dropped-coins.png', { type: 'image/png' }));
      return transfer;
    }, png);
    await page.dispatchEvent('main.content', 'dragover', { dataTransfer });
    await page.dispatchEvent('main.content', 'drop', { dataTransfer });
    await page.waitForSelector('[data-testid=nav-restore][aria-current=page]');
    await page.locator('[data-testid=draft-item]', { hasText: 'dropped-coins.png' }).waitFor();
    assert.equal(page.url(), before, 'the window stayed on the studio');
    await page.click('[data-testid=draft-item] [aria-label="Remove dropped-coins.png"]');
  });

  it('refuses a damaged photo when it is added, with plain words', async () => {
    await nav('restore');
    const broken = join(home, 'scans', 'torn-scan.jpg');
    writeFileSync(broken, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 7)]));
    await page.fill('[data-testid=path-input]', broken);
    await page.click('[data-testid=add-path]');
    const refused = page.locator('[data-testid=draft-item].invalid');
    await refused.waitFor();
    assert.match((await refused.textContent()) ?? '', /torn-scan\.jpg/);
    // Plain words: the decoder's own words go to the detail line, with the code; the advice is given once.
    assert.doesNotMatch((await refused.locator('.error-message').textContent()) ?? '', /VipsJpeg|header:/);
    assert.match((await refused.locator('[data-testid=error-detail]').textContent()) ?? '', /^[A-Z_]+( · .+)?$/);
    assert.ok(((await refused.textContent()) ?? '').split('Copy it again').length <= 2, 'the advice once');
    assert.match((await page.textContent('[data-testid=start-reason]')) ?? '', /None of the added photos can be read/);
    assert.equal(await page.locator('[data-testid=start-job]').isDisabled(), true);
    await shot('repair-06-damaged-refused');
    await page.click('[aria-label="Remove torn-scan.jpg"]');
  });

  it('resumes a cancelled job from History, shows a re-run\'s settings before it starts, and offers Download in a browser', async () => {
    for (const name of ['chelsea.png', 'coins.png', 'astronaut.png']) {
      await page.fill('[data-testid=path-input]', join(fixtures, name));
      await page.click('[data-testid=add-path]');
    }
    await page.locator('[data-testid=draft-item]').nth(2).waitFor();
    await page.click('[data-testid=advanced] summary');
    await page.selectOption('[data-testid=option-tile]', '32');
    await page.click('[data-testid=start-job]');
    const running = page.locator('[data-testid=queue-item][data-state=running]');
    await running.waitFor();
    await page.click('[data-testid=pause-queue]');
    await page.locator('[data-testid=queue-item][data-state=paused]').waitFor();
    await page.click('[data-testid=queue-item][data-state=paused] [data-testid=cancel-job]');
    await page.locator('[data-testid=queue-item][data-state=cancelled]').waitFor();
    await page.click('[data-testid=resume-queue]');

    await nav('history');
    const cancelled = page.locator('[data-testid=history-job][data-status=cancelled]').first();
    await cancelled.waitFor();
    await cancelled.locator('[data-testid=resume-job]').click();
    await page.waitForSelector('[data-testid=nav-restore][aria-current=page]');
    await page.locator('[data-testid=queue-item][data-state=finished]', { hasText: 'astronaut.png' }).waitFor({ timeout: 180_000 });
    for (const name of ['chelsea.png', 'coins.png', 'astronaut.png']) assert.ok(existsSync(join(home, 'restored', name)), `${name} restored after Resume`);

    await nav('history');
    const newest = page.locator('[data-testid=history-job]').first();
    await newest.waitFor();
    await newest.locator('[data-testid=rerun-job]').click();
    const summary = (await newest.locator('[data-testid=rerun-settings]').textContent()) ?? '';
    assert.match(summary, /Restore faded colour: on/);
    assert.match(summary, /Output folder: /);
    const href = await newest.locator('[data-testid=download-output]').first().getAttribute('href');
    assert.ok(href && href.length > 0, 'a Download link in the browser');
    await shot('repair-07-history');
    await newest.locator('[data-testid=rerun-confirm] button', { hasText: 'Cancel' }).click();
    assert.equal(await newest.locator('[data-testid=rerun-confirm]').count(), 0, 'nothing re-run without the confirmation');
    assert.deepEqual(pageErrors, [], 'no errors in the page');
  });

  it('a folder of 230 photos: added whole as one item; the queue counts every photo and lists a window of them; History shows 200 and the rest on asking', async () => {
    const folder = join(home, 'box-of-230');
    mkdirSync(folder);
    for (let i = 0; i < 230; i++) {
      await sharp({ create: { width: 12, height: 8, channels: 3, background: { r: i, g: 255 - i, b: (i * 7) % 256 } } }).png().toFile(join(folder, `p${String(i).padStart(3, '0')}.png`));
    }
    await nav('restore');
    await page.fill('[data-testid=path-input]', folder);
    await page.click('[data-testid=add-path]');
    // More than 100 photos: the folder is added whole, as one item.
    await page.locator('[data-testid=draft-folder-count]').waitFor();
    assert.equal(await page.locator('[data-testid=draft-item]').count(), 1);
    assert.equal(await page.textContent('[data-testid=draft-folder-count]'), '230 photos, restored as they are found');
    await imagesLoaded(page, '[data-testid=draft-item] img', 4);
    assert.match((await page.textContent('[data-testid=start-job]')) ?? '', /Restore 230 photos/);
    await page.uncheck('[data-testid=repair-scratches]');
    await page.uncheck('[data-testid=repair-fading]');
    await page.selectOption('[data-testid=option-model]', 'none');
    await page.locator('[data-testid=draft-item]').screenshot({ path: join(shots, 'repair-08a-folder-item.png') });
    await page.click('[data-testid=start-job]');
    const job = page.locator('[data-testid=queue-item]', { hasText: '230 photos' });
    await job.waitFor();
    await job.locator('[data-testid=job-summary]', { hasText: '230 restored' }).waitFor({ timeout: 120_000 });
    // 20 finished photos are listed and the other 210 counted.
    assert.equal(await job.locator('[data-testid=photo-row]').count(), 20);
    assert.equal(await job.locator('[data-testid=queue-unlisted]').textContent(), 'and 210 more photos not listed here (History lists every one)');
    assert.match((await job.locator('[data-testid=job-summary]').textContent()) ?? '', /^100 % · 230 restored/);
    await shot('repair-08-big-folder');

    await nav('history');
    const newest = page.locator('[data-testid=history-job]').first();
    await newest.locator('[data-testid=history-shown]').waitFor();
    assert.equal(await newest.locator('[data-testid=history-shown]').textContent(), 'Showing 200 of 230 photos');
    assert.equal(await newest.locator('[data-testid=history-file]').count(), 200);
    await newest.locator('[data-testid=history-more]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'repair-09-history-more.png') });
    await newest.locator('[data-testid=history-more]', { hasText: 'Show 30 more' }).click();
    await newest.locator('[data-testid=history-file]').nth(229).waitFor();
    assert.equal(await newest.locator('[data-testid=history-file]').count(), 230);
    assert.equal(await newest.locator('[data-testid=history-more]').count(), 0, 'every photo shown');
    assert.equal(await newest.locator('[data-testid=history-file]').last().locator('.photo-name').textContent(), 'p229.png');
    assert.deepEqual(pageErrors, [], 'no errors in the page');
  });
});
