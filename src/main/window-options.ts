import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The studio window: an isolated, sandboxed renderer with no Node.js, no <webview>, no
 * insecure content. The preload is the only bridge (contextBridge, one function per
 * contract entry).
 */
export function mainWindowOptions(options: { preloadPath: string; darkBackground: boolean; devTools: boolean }): BrowserWindowConstructorOptions {
  return {
    width: 1320,
    height: 880,
    minWidth: 960,
    minHeight: 640,
    title: 'Heirloom',
    show: false,
    backgroundColor: options.darkBackground ? '#191a1c' : '#f4f2ee',
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: options.devTools,
    },
  };
}
