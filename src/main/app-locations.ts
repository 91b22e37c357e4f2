import { join } from 'node:path';

export interface AppLocations {
  /** The built renderer (index.html + assets). */
  rendererDir: string;
  /** The sandboxed preload bundle (CommonJS). */
  preloadPath: string;
  /** Bundled models: extraResources in a package, the repository's models/ when started from source. */
  bundledModelsDir: string;
}

/**
 * Where the app's files are. `appDir` holds main/, preload/ and renderer/ (the staged app
 * folder when started with `npm start`, app.asar when packaged); models are outside asar.
 */
export function appLocations(input: { appDir: string; isPackaged: boolean; resourcesPath: string; env: NodeJS.ProcessEnv }): AppLocations {
  return {
    rendererDir: join(input.appDir, 'renderer'),
    preloadPath: join(input.appDir, 'preload', 'index.cjs'),
    bundledModelsDir: input.env.HEIRLOOM_BUNDLED_MODELS ?? (input.isPackaged ? join(input.resourcesPath, 'models') : join(input.appDir, '..', '..', 'models')),
  };
}
