import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
  }
  return newest;
}

/** Builds dist/renderer when it is missing or older than its sources (renderer, shared, vite config). */
export function ensureRendererBuilt(): { built: boolean; ms: number } {
  const index = join(repo, 'dist/renderer/index.html');
  const sources = Math.max(newestMtime(join(repo, 'src/renderer')), newestMtime(join(repo, 'src/shared')), statSync(join(repo, 'vite.config.ts')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return { built: false, ms: 0 };
  const started = Date.now();
  const result = spawnSync(process.execPath, ['scripts/build-app.mjs', '--renderer'], { cwd: repo, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`Building the renderer failed:\n${result.stdout}\n${result.stderr}`);
  return { built: true, ms: Date.now() - started };
}
