import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { HeirloomApi } from '../shared/contract.js';
import { App } from './App.js';
import { connectWebSocketBridge } from './bridge/websocket-bridge.js';
import './styles.css';

/** In Electron the preload provides window.heirloom; in a browser, heirloom serve's WebSocket does. */
async function connect(): Promise<HeirloomApi> {
  return window.heirloom ?? connectWebSocketBridge(window.location);
}

async function boot(): Promise<void> {
  const root = createRoot(document.getElementById('root')!);
  try {
    const api = await connect();
    const info = await api.appInfo();
    if (!info.ok) throw new Error(info.error.message);
    root.render(
      <StrictMode>
        <App api={api} initialInfo={info.value} />
      </StrictMode>,
    );
  } catch (error) {
    root.render(
      <div className="startup-error" role="alert">
        <h1>Heirloom cannot start</h1>
        <p>{(error as Error).message}</p>
      </div>,
    );
  }
}

// A new address from "heirloom serve" on the same port changes only the fragment (the token): load the page again with it.
window.addEventListener('hashchange', () => window.location.reload());

void boot();
