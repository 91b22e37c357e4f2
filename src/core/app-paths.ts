import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The data directory (history database, settings, installed models). The same folder
 * Electron calls userData, so the app and the CLI share one history.
 */
export function resolveHome(explicit?: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (explicit) return resolve(explicit);
  if (env.HEIRLOOM_HOME) return resolve(env.HEIRLOOM_HOME);
  const home = homedir();
  switch (platform) {
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Heirloom');
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Heirloom');
    default:
      return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Heirloom');
  }
}

export interface HomeLayout {
  root: string;
  database: string;
  /** Automatic backups of the database (at most one a day, the newest three kept). */
  backups: string;
  models: string;
  /** Device discovery and provider probes, remembered for a few minutes (devices/discovery-cache.ts). */
  deviceCache: string;
}

export function homeLayout(root: string): HomeLayout {
  return { root, database: join(root, 'heirloom.db'), backups: join(root, 'backups'), models: join(root, 'models'), deviceCache: join(root, 'device-discovery.json') };
}

/** The repository's (or packaged app's) bundled models folder. */
export function bundledModelsDir(): string {
  return process.env.HEIRLOOM_BUNDLED_MODELS ?? resolve(new URL('../../models', import.meta.url).pathname);
}
