/**
 * The sandboxed preload (bundled to CommonJS by scripts/build-app.mjs): exposes the
 * contract as window.heirloom and nothing else.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createPreloadApi } from './preload-api.js';

contextBridge.exposeInMainWorld('heirloom', createPreloadApi(ipcRenderer, webUtils));
