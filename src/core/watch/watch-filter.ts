import { isAbsolute, relative, resolve, sep } from 'node:path';
import { isTempOutput } from '../fs/atomic-output.js';
import { hasImageExtension } from '../fs/collect-inputs.js';

/**
 * What a watch folder never looks at: hidden files and folders (our temporary outputs are
 * hidden dot-files too), anything ending in the temporary suffix, and its output folder
 * when that sits inside the watched one. Everything else that is a file is either a photo
 * (by its extension) or is skipped and reported.
 */
export class WatchFilter {
  private readonly root: string;
  private readonly outDir: string;

  constructor(root: string, outDir: string) {
    this.root = resolve(root);
    this.outDir = resolve(outDir);
  }

  /** For the watcher: paths never to report or descend into. */
  readonly isExcluded = (path: string): boolean => {
    const full = resolve(path);
    if (full === this.root) return false;
    if (isTempOutput(full)) return true;
    if (full === this.outDir || full.startsWith(this.outDir + sep)) return true;
    const rel = relative(this.root, full);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return false;
    return rel.split(sep).some((segment) => segment.startsWith('.'));
  };

  isPhoto(path: string): boolean {
    return hasImageExtension(path);
  }
}
