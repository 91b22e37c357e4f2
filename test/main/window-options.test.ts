import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mainWindowOptions } from '../../src/main/window-options.js';
import { applicationMenuTemplate, MODELS_SOURCE_URL } from '../../src/main/menu.js';
import { appLocations } from '../../src/main/app-locations.js';

describe('window options', () => {
  it('isolate and sandbox the renderer, with no Node.js, webview or insecure content', () => {
    const options = mainWindowOptions({ preloadPath: '/app/preload/index.cjs', darkBackground: false, devTools: false });
    const web = options.webPreferences!;
    assert.equal(web.preload, '/app/preload/index.cjs');
    assert.equal(web.contextIsolation, true);
    assert.equal(web.sandbox, true);
    assert.equal(web.nodeIntegration, false);
    assert.equal(web.nodeIntegrationInWorker, false);
    assert.equal(web.nodeIntegrationInSubFrames, false);
    assert.equal(web.webSecurity, true);
    assert.equal(web.allowRunningInsecureContent, false);
    assert.equal(web.webviewTag, false);
    assert.equal(web.navigateOnDragDrop, false);
    assert.equal(web.devTools, false);
    assert.equal(options.show, false, 'shown on ready-to-show, without a white flash');
    assert.notEqual(mainWindowOptions({ preloadPath: 'p', darkBackground: true, devTools: true }).backgroundColor, options.backgroundColor);
  });
});

describe('menu', () => {
  it('offers dev tools only in development and opens only the vetted link', () => {
    const opened: string[] = [];
    const flat = (template: ReturnType<typeof applicationMenuTemplate>) => JSON.stringify(template, (_k, v: unknown) => (typeof v === 'function' ? 'fn' : v));
    assert.doesNotMatch(flat(applicationMenuTemplate({ isMac: false, development: false, openExternal: (u) => opened.push(u) })), /toggleDevTools|"reload"/);
    const dev = applicationMenuTemplate({ isMac: true, development: true, openExternal: (u) => opened.push(u) });
    assert.match(flat(dev), /toggleDevTools/);
    assert.equal(dev[0]!.role, 'appMenu');
    const help = dev.find((m) => m.role === 'help')!;
    const item = (help.submenu as Array<{ click?: () => void }>)[0]!;
    item.click!();
    assert.deepEqual(opened, [MODELS_SOURCE_URL]);
  });
});

describe('app locations', () => {
  it('finds the renderer and preload in the app folder, and models outside asar when packaged', () => {
    const packaged = appLocations({ appDir: '/opt/Heirloom/resources/app.asar', isPackaged: true, resourcesPath: '/opt/Heirloom/resources', env: {} });
    assert.deepEqual(packaged, { rendererDir: '/opt/Heirloom/resources/app.asar/renderer', preloadPath: '/opt/Heirloom/resources/app.asar/preload/index.cjs', bundledModelsDir: '/opt/Heirloom/resources/models' });
    const source = appLocations({ appDir: '/repo/dist/electron-app', isPackaged: false, resourcesPath: '/x', env: {} });
    assert.equal(source.bundledModelsDir, '/repo/models');
    assert.equal(appLocations({ appDir: '/a', isPackaged: true, resourcesPath: '/r', env: { HEIRLOOM_BUNDLED_MODELS: '/m' } }).bundledModelsDir, '/m');
  });
});
