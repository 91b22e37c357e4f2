// Start-up of the `heirloom` command. Compiling the TypeScript source through tsx's loader
// costs about as much CPU as the rest of a small restore's start (a loader thread, a hook
// round trip per module, twice: the inference thread loads the runtime the same way), so the
// command runs a bundle that esbuild makes of the source tree, split per command so a
// command still loads only what it needs, and keeps in .cache/cli/ until a source file
// changes. Each module keeps its own import.meta.url (paths to models, the package, the
// inference thread resolve as from the source). Anything wrong with the bundle: tsx, as before.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ENTRIES = { main: 'src/cli/main.ts', 'session-worker': 'src/core/inference/session-worker.ts' };
/** Tells the inference thread's boot file (src/core/inference/session-worker-boot.mjs) where the bundled worker is. */
export const BUNDLE_ENV = 'HEIRLOOM_CLI_BUNDLE_DIR';

/** The source tree's state: every file's path, size and time (to the millisecond), with the Node version and the lock file. */
function sourceKey() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const stat = statSync(path, { bigint: true });
        hash.update(`${path}\0${stat.size}\0${stat.mtimeNs / 1_000_000n}\n`);
      }
    }
  };
  walk(join(root, 'src'));
  for (const file of ['package.json', 'package-lock.json', 'tsconfig.json', 'bin/cli-bundle.mjs']) {
    const path = join(root, file);
    if (existsSync(path)) hash.update(`${file}\0${statSync(path, { bigint: true }).mtimeNs / 1_000_000n}\n`);
  }
  hash.update(`${process.version}\0${root}`);
  return hash.digest('hex').slice(0, 20);
}

/** Replaces import.meta.url in each source module by that module's own file URL. */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.(ts|tsx|mts)$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href)),
      loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts',
    }));
  },
};

async function build(dir) {
  const { build: esbuild } = await import('esbuild');
  const temp = `${dir}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  try {
    await esbuild({
      absWorkingDir: root,
      entryPoints: ENTRIES,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      packages: 'external',
      outdir: temp,
      outExtension: { '.js': '.mjs' },
      plugins: [ownImportMetaUrl],
      // CommonJS packages loaded with require() (OpenCV's WebAssembly build) need a real
      // require in an ES module: esbuild's stand-in throws "Dynamic require ... not supported".
      banner: { js: "import { createRequire as __heirloomCreateRequire } from 'node:module'; const require = __heirloomCreateRequire(import.meta.url);" },
      logLevel: 'silent',
    });
    // Another process may have made the same bundle meanwhile: either is complete.
    if (!existsSync(dir)) renameSync(temp, dir);
    removeOldBundles(dir);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Bundles of earlier source states (and failure marks) unused for a day: each start touches its bundle, and a process still running one may load its chunks until then. */
function removeOldBundles(current) {
  const parent = join(current, '..');
  for (const name of readdirSync(parent)) {
    const path = join(parent, name);
    if (path !== current && Date.now() - statSync(path).mtimeMs > 24 * 3600_000) rmSync(path, { recursive: true, force: true });
  }
}

/** The bundle's folder for the source tree as it is now, made if missing; undefined when it cannot be. */
export async function cliBundle() {
  if (process.env.HEIRLOOM_CLI_BUNDLE === '0') return undefined;
  let dir;
  try {
    dir = join(root, '.cache', 'cli', sourceKey());
    // A build that failed for this source state is not tried again on every start (tsx runs it).
    if (!existsSync(join(dir, 'main.mjs')) && !existsSync(`${dir}.failed`)) await build(dir);
  } catch (error) {
    // No esbuild, or a read-only tree (another process renaming the same bundle into place first is fine).
    if (dir !== undefined && !existsSync(join(dir, 'main.mjs'))) {
      try {
        writeFileSync(`${dir}.failed`, `${error?.stack ?? error}\n`);
      } catch {
        // A read-only tree: nothing to remember it in.
      }
    }
  }
  if (dir === undefined || !existsSync(join(dir, 'main.mjs'))) return undefined;
  try {
    const now = new Date();
    utimesSync(dir, now, now); // in use: not an old bundle for removeOldBundles
  } catch {
    // A read-only tree keeps its bundles anyway.
  }
  return dir;
}
