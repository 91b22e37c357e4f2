import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INVOKE_METHODS } from '../../src/shared/contract-channels.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The real Electron main bundle (esbuild, CommonJS, as `npm start` builds it) booted in
 * plain Node against a fake 'electron' module: proves the composition root wires the
 * window, protocol, IPC, events and shutdown, and that the bundle loads its native
 * modules and core, without an Electron binary.
 */
describe('Electron main bundle (booted against a fake electron)', () => {
  let work: string;
  let report: Record<string, unknown> & {
    calls: Array<string | { what: string; detail: unknown }>;
    channels: string[];
    webPreferences: Record<string, unknown>;
    page: { status: number; csp: string; body: string };
    info: { ok: boolean; value: { host: string; version: string; defaultOutputDir: string; capabilities: Record<string, boolean> } };
    refused: { ok: boolean; error: { code: string } };
    invalid: { ok: boolean; error: { code: string } };
    events: string[];
    restore: { started: boolean; events: Array<{ type: string; output?: string; width?: number; height?: number; code?: string; message?: string }> };
  };

  before(() => {
    work = mkdtempSync(join(repo, 'dist', '.test-main-'));
    const build = spawnSync(process.execPath, ['scripts/build-app.mjs', '--electron', '--out', work], { cwd: repo, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    const appDir = join(work, 'app');
    mkdirSync(join(appDir, 'renderer'), { recursive: true });
    writeFileSync(join(appDir, 'renderer', 'index.html'), '<!doctype html><title>studio</title>');
    const home = mkdtempSync(join(tmpdir(), 'heirloom-main-'));
    const run = spawnSync(process.execPath, [join(repo, 'test/main/fixtures/boot-main-bundle.mjs'), join(work, 'main', 'index.cjs')], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, HEIRLOOM_HOME: home, HEIRLOOM_BUNDLED_MODELS: join(repo, 'models'), FAKE_APP_DIR: appDir, FAKE_PICTURES: home },
    });
    rmSync(home, { recursive: true, force: true });
    assert.equal(run.status, 0, `boot failed:\n${run.stderr}`);
    report = JSON.parse(run.stdout.trim().split('\n').pop()!);
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it('registers the privileged app scheme, the sandbox, CSP headers and a deny-all permission policy', () => {
    const names = report.calls.map((c) => (typeof c === 'string' ? c : c.what));
    assert.ok(names.indexOf('registerSchemesAsPrivileged') < names.indexOf('loadURL'));
    assert.ok(names.includes('enableSandbox'));
    assert.ok(names.includes('onHeadersReceived'));
    assert.ok(report.calls.some((c) => typeof c !== 'string' && c.what === 'permissionRequest' && c.detail === false));
    assert.ok(report.calls.some((c) => typeof c !== 'string' && c.what === 'permissionCheck' && c.detail === false));
    assert.ok(names.includes('setApplicationMenu'));
  });

  it('opens one sandboxed, isolated window on the app page, served with the CSP', () => {
    assert.equal(report.loaded, 'heirloom://app/index.html');
    assert.equal(report.webPreferences.sandbox, true);
    assert.equal(report.webPreferences.contextIsolation, true);
    assert.equal(report.webPreferences.nodeIntegration, false);
    assert.match(String(report.webPreferences.preload), /preload[\\/]index\.cjs$/);
    assert.equal(report.page.status, 200);
    assert.match(report.page.body, /studio/);
    assert.match(report.page.csp, /default-src 'none'/);
    assert.equal(report.outsideStatus, 404);
  });

  it('serves every contract channel over IPC to the window only, with payloads checked', () => {
    // Every invoke channel of the contract is registered (jobs:continue and jobs:repair-again included).
    assert.deepEqual([...report.channels].sort(), Object.keys(INVOKE_METHODS).sort());
    assert.ok(report.info.ok);
    assert.equal(report.info.value.host, 'electron');
    assert.equal(report.info.value.version, '9.9.9');
    assert.deepEqual(report.info.value.capabilities, { dialogs: true, shell: true, uploads: false, devices: true, watch: true });
    assert.match(report.info.value.defaultOutputDir, /pictures[\\/]Heirloom$/);
    assert.equal(report.refused.error.code, 'PERMISSION_DENIED');
    assert.equal(report.invalid.error.code, 'INVALID_PAYLOAD');
    assert.equal(report.pausedOk, true);
    assert.ok(report.events.includes('jobs:queue-changed'), 'studio events reach the window');
  });

  it('restores a photo sent over IPC, the model running on the bundled inference thread', () => {
    assert.ok(report.restore.started);
    const done = report.restore.events.find((e) => e.type === 'file-done');
    assert.ok(done, JSON.stringify(report.restore.events));
    assert.deepEqual([done.width, done.height], [96, 80]);
    assert.ok(existsSync(done.output!));
  });

  it('keeps the window in the app and shuts the core down before quitting', () => {
    assert.deepEqual(report.openDenied, { action: 'deny' });
    assert.equal(report.navigationPrevented, true);
    const names = report.calls.map((c) => (typeof c === 'string' ? c : c.what));
    assert.ok(names.indexOf('before-quit prevented') < names.indexOf('quit'), 'quits only after the runtime is disposed');
    assert.equal(report.channelsAfterQuit, 0, 'IPC handlers removed on the way out');
  });
});
