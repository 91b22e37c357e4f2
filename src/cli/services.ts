import { bundledModelsDir, resolveHome } from '../core/app-paths.js';
import { CoreServices } from '../core/core-services.js';

/** The CLI's services: core's composition root over the data directory a command names. */
export class CliServices extends CoreServices {
  constructor(homeOption?: string) {
    super({ home: resolveHome(homeOption), bundledModelsDir: bundledModelsDir() });
  }
}
