#!/usr/bin/env node
// Builds the desktop app's three parts into dist/:
//   dist/renderer/     the React studio (Vite), also what `heirloom serve` serves
//   dist/main/index.cjs     Electron main (esbuild; native modules stay external)
//   dist/main/session-worker.cjs  the inference thread it starts (one per model session)
//   dist/preload/index.cjs  the sandboxed preload: a self-contained CommonJS bundle
//                           (a sandboxed preload can require only 'electron')
// Usage: node scripts/build-app.mjs [--renderer] [--electron] [--out DIR]   (no flag: both;
//        --out puts main/ and preload/ under DIR instead of dist/, for tests)
import { build as esbuild } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** Loaded from node_modules at run time: native addons (rebuilt per Electron ABI or N-API) and Electron itself. */
export const NATIVE_MODULES = ['sharp', 'better-sqlite3', 'onnxruntime-node'];

export async function buildRenderer() {
  // Always a production build (React's production bundle), whatever NODE_ENV the caller
  // runs under (the test runner sets NODE_ENV=test).
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  await build({ configFile: `${root}/vite.config.ts`, mode: 'production', logLevel: 'warn' });
}

export async function buildElectron({ outDir = 'dist' } = {}) {
  const common = { bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: root, legalComments: 'none' };
  const mainProcess = {
    ...common,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['electron', ...NATIVE_MODULES],
    // Core modules use import.meta.url (ESM); in the CommonJS bundle it is this file's URL.
    banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__importMetaUrl' },
  };
  await esbuild({ ...mainProcess, entryPoints: ['src/main/index.ts'], outfile: `${outDir}/main/index.cjs` });
  // The inference thread (src/core/inference/threaded-session.ts looks for it beside the main bundle).
  await esbuild({ ...mainProcess, entryPoints: ['src/core/inference/session-worker.ts'], outfile: `${outDir}/main/session-worker.cjs` });
  await esbuild({
    ...common,
    entryPoints: ['src/preload/index.ts'],
    outfile: `${outDir}/preload/index.cjs`,
    platform: 'browser',
    format: 'cjs',
    target: 'chrome130',
    external: ['electron'],
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith('--')));
  const all = !flags.has('--renderer') && !flags.has('--electron');
  if (all || flags.has('--renderer')) {
    await buildRenderer();
    console.log('built dist/renderer');
  }
  if (all || flags.has('--electron')) {
    const at = process.argv.indexOf('--out');
    const outDir = at > 0 && process.argv[at + 1] ? process.argv[at + 1] : 'dist';
    await buildElectron({ outDir });
    console.log(`built ${outDir}/main/index.cjs and ${outDir}/preload/index.cjs`);
  }
}
