import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { bundledModelsDir, resolveHome } from '../../core/app-paths.js';
import { stopOnSignals } from '../stop-signals.js';
import { StudioRuntime } from '../../core/studio/studio-runtime.js';
import { startWatchService } from '../../core/watch/start-watch-service.js';
import { intInRange } from '../options.js';
import { serveImageUrl, startServeServer } from '../serve/serve-server.js';
import { createServeToken } from '../serve/serve-token.js';
import { UploadInbox } from '../serve/upload-inbox.js';

interface ServeOptions {
  port: number;
  host: string;
  home?: string;
  renderer?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** The built renderer in this checkout (npm run build:renderer writes it). */
export function defaultRendererDir(): string {
  return process.env.HEIRLOOM_RENDERER_DIR ?? fileURLToPath(new URL('../../../dist/renderer', import.meta.url));
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('the studio UI in a browser: serves it and the app contract on 127.0.0.1 with a per-run token (for UI work and headless machines)')
    .option('-p, --port <n>', 'port; 0 picks a free one', intInRange('--port', 0, 65535), 0)
    .option('--host <address>', 'address to listen on; anything but 127.0.0.1 exposes the studio to the network (the token is still required)', '127.0.0.1')
    .option('--home <dir>', 'data directory (history, settings, models); default $HEIRLOOM_HOME or the app-data folder')
    .option('--renderer <dir>', 'built renderer folder (default dist/renderer)')
    .action(async (options: ServeOptions) => {
      const home = resolveHome(options.home);
      const token = createServeToken();
      const inbox = UploadInbox.forRun(home);
      const log = (message: string, error?: unknown) => process.stderr.write(`heirloom serve: ${message}${error ? `: ${(error as Error).message ?? String(error)}` : ''}\n`);
      const runtime = new StudioRuntime({
        home,
        bundledModelsDir: bundledModelsDir(),
        host: 'browser',
        version: packageVersion(),
        imageUrl: serveImageUrl(token),
        uploads: true,
        // Watch folders run while serve does (a headless machine's scanner folder, say).
        watch: (deps) => startWatchService(deps, {}, log),
        log,
      });
      let server;
      try {
        server = await startServeServer({ studio: runtime.studio, rendererDir: options.renderer ?? defaultRendererDir(), token, inbox, host: options.host, port: options.port, log });
      } catch (error) {
        await runtime.dispose();
        throw error;
      }
      process.stdout.write(`Heirloom studio: ${server.url}\n`);
      if (!LOOPBACK.has(options.host)) {
        process.stderr.write(`warning: listening on ${options.host}: anyone who can reach this address and has the link can use the studio, and traffic is not encrypted.\n`);
      }
      process.stderr.write(`Open the address above in a browser (the token after # is the key; it changes every run). Dropped photos go to ${inbox.dir}. Press Ctrl+C to stop.\n`);
      // The first Ctrl+C / SIGTERM cancels the running job; the process ends within STOP_GRACE_MS whatever hangs.
      const stop = stopOnSignals({ onStop: () => undefined, message: 'Stopping: cancelling the running job...' });
      await stop.stopped;
      try {
        await server.close();
        await runtime.dispose();
      } finally {
        stop.dispose();
      }
    });
}
