#!/usr/bin/env node
// Stages the Electron app folder dist/electron-app (electron-builder's "two package.json"
// layout, see electron-builder.yml: directories.app):
//
//   dist/electron-app/package.json   main: main/index.cjs; dependencies: only the native
//                                    modules, pinned to the versions installed here
//   dist/electron-app/{main,preload,renderer}/   copied from dist/
//   dist/electron-app/node_modules/  the native modules built for Electron's ABI
//
// Why a separate folder: better-sqlite3 is a V8-ABI addon. Rebuilding it for Electron
// in the repository's node_modules would make it unloadable by plain Node (the CLI,
// `heirloom serve` and every test). So Electron gets its own copy here, installed and
// rebuilt by `electron-builder install-app-deps` (which, for a separate app folder,
// installs that folder's dependencies and rebuilds them for the Electron version in the
// root package.json). The repository's node_modules are never touched. sharp and
// onnxruntime-node are N-API addons and would load either way; they are installed here
// too so the packaged app carries them. This runs from `npm start` / `npm run dist`,
// never from postinstall.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NATIVE_MODULES, root } from './build-app.mjs';

export const stageDir = join(root, 'dist', 'electron-app');
const STAMP = '.native-deps.json';

function installedVersion(name) {
  return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
}

export function electronVersion() {
  return installedVersion('electron');
}

/** Writes package.json and copies the built parts; leaves node_modules alone. */
export function stageApp() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const part of ['main', 'preload', 'renderer']) {
    if (!existsSync(join(root, 'dist', part))) throw new Error(`dist/${part} is missing: run node scripts/build-app.mjs first.`);
  }
  mkdirSync(stageDir, { recursive: true });
  const dependencies = Object.fromEntries(NATIVE_MODULES.map((name) => [name, installedVersion(name)]));
  const appPkg = { name: pkg.name, productName: pkg.productName, version: pkg.version, description: pkg.description, license: pkg.license, private: true, main: 'main/index.cjs', dependencies };
  writeFileSync(join(stageDir, 'package.json'), `${JSON.stringify(appPkg, null, 2)}\n`);
  // The same npm settings (e.g. onnxruntime-node's CUDA download stays opt-in).
  if (existsSync(join(root, '.npmrc'))) cpSync(join(root, '.npmrc'), join(stageDir, '.npmrc'));
  for (const part of ['main', 'preload', 'renderer']) {
    rmSync(join(stageDir, part), { recursive: true, force: true });
    cpSync(join(root, 'dist', part), join(stageDir, part), { recursive: true });
  }
  return { dependencies };
}

/** Installs + rebuilds the staged native modules for Electron, unless already done for these versions. */
export function ensureNativeModules({ platform = process.platform, arch = process.arch } = {}) {
  const wanted = { electron: electronVersion(), platform, arch, dependencies: JSON.parse(readFileSync(join(stageDir, 'package.json'), 'utf8')).dependencies };
  const stampFile = join(stageDir, 'node_modules', STAMP);
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === JSON.stringify(wanted)) return false;
  const cli = join(root, 'node_modules', 'electron-builder', 'cli.js');
  const result = spawnSync(process.execPath, [cli, 'install-app-deps', '--platform', platform, '--arch', arch], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`Installing the native modules for Electron ${wanted.electron} into ${stageDir} failed (electron-builder install-app-deps exited with ${result.status}). It needs the npm registry and Electron's headers (network), and a C++ toolchain for better-sqlite3.`);
  }
  writeFileSync(stampFile, JSON.stringify(wanted));
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { dependencies } = stageApp();
  console.log(`staged ${stageDir} (native modules: ${Object.entries(dependencies).map(([n, v]) => `${n}@${v}`).join(', ')})`);
  if (process.argv.includes('--native')) ensureNativeModules();
}
