import { HeirloomError } from '../shared/errors.js';
import type { ShellPort } from '../core/studio/ports.js';

/** The part of Electron's shell module used here. */
export interface ShellLike {
  openPath(path: string): Promise<string>;
  showItemInFolder(path: string): void;
}

/** Opening outputs with the desktop (the studio has already checked the path is a known output). */
export function electronShell(shell: ShellLike): ShellPort {
  return {
    async openPath(path) {
      const problem = await shell.openPath(path);
      if (problem) throw new HeirloomError('NOT_FOUND', `${path} could not be opened (${problem}). Check that it still exists and that an app is set to open it.`, { file: path });
    },
    showInFolder: (path) => shell.showItemInFolder(path),
  };
}
