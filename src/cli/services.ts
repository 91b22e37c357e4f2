import { bundledModelsDir, resolveHome } from '../core/app-paths.js';
import { packageVersion } from '../core/app-version.js';
import { CoreServices } from '../core/core-services.js';
import type { DatabaseNotice } from '../core/store/database-recovery.js';
import { toErrorInfo } from '../shared/errors.js';

/** The CLI's services: core's composition root over the data directory a command names. */
export class CliServices extends CoreServices {
  /** `onNotice`: a damaged history database was replaced (default: a warning line on stderr). */
  constructor(homeOption?: string, onNotice: (notice: DatabaseNotice) => void = printNotice) {
    super({ home: resolveHome(homeOption), bundledModelsDir: bundledModelsDir(), appVersion: packageVersion(), onBackupError: printBackupError });
    if (this.history.notice) onNotice(this.history.notice);
  }
}

function printNotice(notice: DatabaseNotice): void {
  process.stderr.write(`warning: ${notice.message}\n`);
}

function printBackupError(error: unknown): void {
  process.stderr.write(`warning: ${toErrorInfo(error).message}\n`);
}
