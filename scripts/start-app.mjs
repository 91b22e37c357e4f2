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

/** The Electron executable, or a sentence saying why there is none. */
export function findElectronBinary() {
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) {
    return { problem: `Electron ${electronVersion()}'s binary is not installed (node_modules/electron/path.txt is missing: its download failed or was skipped).` };
  }
  let binary;
  try {
    binary = require('electron'); // in plain Node this is the executable's path
  } catch (error) {
    return { problem: `Electron's binary cannot be found (${error.message.split('\n')[0]}).` };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return { problem: `Electron's binary ${readFileSync(pathFile, 'utf8').trim()} is missing from node_modules/electron/dist.` };
  return { binary };
}

function fail(message) {
  process.stderr.write(`\nnpm start: ${message}\n`);
  process.exit(1);
}

async function main() {
  console.log('Building the studio (renderer, main, preload)...');
  await buildRenderer();
  await buildElectron();
  stageApp();

  const electron = findElectronBinary();
  if (electron.problem) {
    fail(
      `${electron.problem}\n` +
        `  The desktop window cannot open without it. To install it when online: node node_modules/electron/install.js\n` +
        `  Meanwhile the same studio runs in a browser: npx heirloom serve   (then open the address it prints)\n`,
    );
  }
  try {
    if (ensureNativeModules()) console.log('Native modules built for Electron in dist/electron-app/node_modules.');
  } catch (error) {
    fail(`${error.message}\n  The browser studio does not need them: npx heirloom serve\n`);
  }
  const child = spawn(electron.binary, [stageDir, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, HEIRLOOM_BUNDLED_MODELS: process.env.HEIRLOOM_BUNDLED_MODELS ?? join(root, 'models') },
  });
  child.on('error', (error) => fail(`Electron could not be started (${error.message}). Try: npx heirloom serve`));
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
}

await main();
