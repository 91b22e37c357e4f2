import type { HeirloomApi } from '../shared/contract.js';

declare global {
  interface Window {
    /** Provided by the Electron preload; absent in a browser, where the WebSocket bridge builds it. */
    heirloom?: HeirloomApi;
  }
}
