/**
 * Electron main: the composition root. Builds the core services once (StudioRuntime), the
 * window, menu and dialogs, and adapts the studio to IPC. Everything with logic lives in
 * the small modules beside this one (tested without Electron); this file only wires them.
 */
import { BrowserWindow, Menu, app, dialog, ipcMain, nativeTheme, protocol, session, shell } from 'electron';
import { join } from 'node:path';
import { resolveHome } from '../core/app-paths.js';
import { toErrorInfo } from '../shared/errors.js';
import { StudioRuntime } from '../core/studio/studio-runtime.js';
import { startWatchService } from '../core/watch/start-watch-service.js';
import { APP_ENTRY_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler, electronImageUrl, isAppUrl } from './app-protocol.js';
import { appLocations } from './app-locations.js';
import { withContentSecurityPolicy } from './csp.js';
import { electronDialogs } from './dialogs.js';
import { forwardStudioEvents } from './event-bridge.js';
import { applicationMenuTemplate } from './menu.js';
import { installNavigationGuards, isVettedExternalUrl } from './navigation-guard.js';
import { isTrustedSender, registerIpc } from './register-ipc.js';
import { electronShell } from './shell-port.js';
import { mainWindowOptions } from './window-options.js';

// Before ready: the app scheme must be privileged (standard origin, secure, fetch).
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();

if (!app.requestSingleInstanceLock()) app.quit();
else {
  start().catch((error: unknown) => {
    // E.g. the history database is from a newer Heirloom, or the data folder is not writable.
    const info = toErrorInfo(error);
    dialog.showErrorBox('Heirloom cannot start', `${info.message}${info.cause ? `\n\n${info.cause}` : ''}`);
    app.exit(1);
  });
}

async function start(): Promise<void> {
  await app.whenReady();
  const locations = appLocations({ appDir: app.getAppPath(), isPackaged: app.isPackaged, resourcesPath: process.resourcesPath, env: process.env });
  const development = !app.isPackaged;
  let window: BrowserWindow | undefined;
  const openExternal = (url: string) => {
    if (isVettedExternalUrl(url)) void shell.openExternal(url);
  };

  const log = (message: string, error?: unknown) => console.error(`heirloom: ${message}`, error ?? '');
  const runtime = new StudioRuntime({
    home: resolveHome(),
    bundledModelsDir: locations.bundledModelsDir,
    host: 'electron',
    version: app.getVersion(),
    defaultOutputDir: join(app.getPath('pictures'), 'Heirloom'),
    imageUrl: electronImageUrl,
    dialogs: electronDialogs(dialog, () => window),
    shell: electronShell(shell),
    // Watch folders run while the app is open (interrupted jobs continue on launch).
    watch: (deps) => startWatchService(deps, {}, log),
    log,
  });

  protocol.handle(APP_SCHEME, createAppProtocolHandler({ rendererDir: locations.rendererDir, renderImage: (id, variant) => runtime.studio.renderImage(id, variant) }));
  // Nothing but the app scheme is loaded, and whatever the session sees carries the CSP.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) }));
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  const unregister = registerIpc(ipcMain, runtime.studio.dispatch, (event) => isTrustedSender(event, window?.webContents.id));
  const stopEvents = forwardStudioEvents(runtime.studio.events, () => window?.webContents);

  Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenuTemplate({ isMac: process.platform === 'darwin', development, openExternal })));

  const createWindow = () => {
    window = new BrowserWindow(mainWindowOptions({ preloadPath: locations.preloadPath, darkBackground: nativeTheme.shouldUseDarkColors, devTools: development }));
    installNavigationGuards(window.webContents, openExternal);
    window.once('ready-to-show', () => window?.show());
    window.on('closed', () => (window = undefined));
    void window.loadURL(APP_ENTRY_URL);
  };
  createWindow();

  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  app.on('activate', () => {
    if (!window) createWindow();
  });
  // Any other web contents (there should be none) gets the same guards.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => {
      if (!isAppUrl(event.url)) event.preventDefault();
    });
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let disposed = false;
  app.on('before-quit', (event) => {
    if (disposed) return;
    // Cancel the running job and close the database before leaving.
    event.preventDefault();
    disposed = true;
    stopEvents();
    unregister();
    void runtime.dispose().finally(() => app.quit());
  });
}
