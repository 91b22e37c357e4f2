#!/usr/bin/env node
// `npm start`: builds the app, stages it (scripts/stage-app.mjs: why a separate folder),
// makes sure the native modules there are built for Electron, and launches Electron.
// The Electron binary is checked before anything slow: without it (as on a machine where
// it could not be downloaded) the failure is a clear message, not a rebuild error.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { buildElectron, buildRenderer, root } from './build-app.mjs';
import { electronVersion, ensureNativeModules, stageApp, stageDir } from './stage-app.mjs';

const require = createRequire(import.meta.url);

/**
 * The Electron executable, or a sentence saying why there is none. Electron 45+ downloads its
 * binary on first use: requiring the package does that download (or fails without network).
 */
export function findElectronBinary() {
  let binary;
  try {
    binary = require('electron'); // in plain Node this is the executable's path, downloaded if missing
  } catch (error) {
    return { problem: `Electron ${electronVersion()}'s binary is not installed and could not be downloaded (${error.message.split('\n')[0]}).` };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) {
    const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
    const expected = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'the Electron executable';
    return { problem: `Electron ${electronVersion()}'s binary (${expected}) is missing from node_modules/electron/dist and could not be downloaded.` };
  }
  return { binary };
}

function fail(message) {
  process.stderr.write(`\nnpm start: ${message}\n`);
  process.exit(1);
}

/**
 * Where the desktop window cannot open (no Electron binary, or its native modules cannot be
 * built offline) the same studio is served to the browser instead, so `npm start` always
 * gives the user the app. HEIRLOOM_NO_SERVE_FALLBACK=1 makes it fail instead.
 */
function serveInstead(problem) {
  if (process.env.HEIRLOOM_NO_SERVE_FALLBACK) fail(`${problem}\n  The browser studio runs without Electron: npx heirloom serve\n`);
  process.stderr.write(`\nnpm start: the desktop window cannot open: ${problem}\n  Starting the same studio for your browser instead (heirloom serve); open the address below.\n\n`);
  const child = spawn(process.execPath, [join(root, 'bin', 'heirloom.mjs'), 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 0)));
}

async function main() {
  console.log('Building the studio (renderer, main, preload)...');
  await buildRenderer();
  await buildElectron();
  stageApp();

  const electron = findElectronBinary();
  if (electron.problem) {
    return serveInstead(`${electron.problem}\n  To install it when online: node node_modules/electron/install.js`);
  }
  try {
    if (ensureNativeModules()) console.log('Native modules built for Electron in dist/electron-app/node_modules.');
  } catch (error) {
    return serveInstead(error.message);
  }
  const child = spawn(electron.binary, [stageDir, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, HEIRLOOM_BUNDLED_MODELS: process.env.HEIRLOOM_BUNDLED_MODELS ?? join(root, 'models') },
  });
  child.on('error', (error) => fail(`Electron could not be started (${error.message}). Try: npx heirloom serve`));
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
}

await main();
