import { promises as fs } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { HeirloomError, type ErrorInfo } from '../../shared/errors.js';
import { isTempOutput } from './atomic-output.js';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.png', '.webp', '.tif', '.tiff', '.gif', '.bmp', '.heic', '.heif', '.avif']);

export function hasImageExtension(path: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(path).toLowerCase());
}

/** One input: a photo to restore, or a path that already failed while listing. */
export type InputEntry = { path: string; error?: undefined } | { path: string; error: ErrorInfo };

export interface CollectOptions {
  /** Folders never to descend into (the output folder, when it sits inside an input folder). */
  exclude?: string[];
}

/**
 * Expands the user's files and folders into photos, in a stable order. Files named
 * explicitly are taken whatever their extension (the decoder judges them); folders are
 * searched recursively for image extensions. Symbolic-link loops are reported, not followed.
 */
export async function collectInputs(paths: string[], options: CollectOptions = {}): Promise<InputEntry[]> {
  const excluded = (options.exclude ?? []).map((p) => resolve(p));
  const entries: InputEntry[] = [];
  const seen = new Set<string>();
  const add = (entry: InputEntry) => {
    if (seen.has(entry.path)) return;
    seen.add(entry.path);
    entries.push(entry);
  };

  for (const raw of paths) {
    const path = resolve(raw);
    let stat;
    try {
      stat = await fs.stat(path);
    } catch (error) {
      add({ path, error: listingError(error, path) });
      continue;
    }
    if (stat.isDirectory() && !hasImageExtension(path)) {
      await walk(path, new Set([await fs.realpath(path)]), excluded, add);
    } else {
      add({ path });
    }
  }
  return entries;
}

async function walk(dir: string, ancestors: Set<string>, excluded: string[], add: (e: InputEntry) => void): Promise<void> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).sort((a, b) => a.localeCompare(b));
  } catch (error) {
    add({ path: dir, error: listingError(error, dir) });
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (name.startsWith('.') || isTempOutput(path)) continue;
    if (excluded.some((e) => path === e || path.startsWith(e + sep))) continue;
    let stat;
    try {
      stat = await fs.stat(path);
    } catch (error) {
      if (hasImageExtension(path) || (error as NodeJS.ErrnoException).code === 'ELOOP') add({ path, error: listingError(error, path) });
      continue;
    }
    if (stat.isDirectory()) {
      if (hasImageExtension(path)) {
        add({ path }); // a folder named like a photo: the decoder reports it as NOT_A_FILE
        continue;
      }
      const real = await fs.realpath(path);
      if (ancestors.has(real)) {
        add({ path, error: new HeirloomError('SYMLINK_LOOP', `${path} links back to a folder that contains it, so it was not followed. Remove or fix the link.`, { file: path }).toInfo() });
        continue;
      }
      await walk(path, new Set([...ancestors, real]), excluded, add);
    } else if (hasImageExtension(path)) {
      add({ path });
    }
  }
}

function listingError(error: unknown, path: string): ErrorInfo {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new HeirloomError('NOT_FOUND', `${path} does not exist. Check the path.`, { file: path }).toInfo();
  if (code === 'ELOOP') return new HeirloomError('SYMLINK_LOOP', `${path} is a symbolic link loop. Remove or fix the link.`, { file: path }).toInfo();
  if (code === 'EACCES' || code === 'EPERM') return new HeirloomError('PERMISSION_DENIED', `${path} cannot be read: permission denied. Give your user access to it.`, { file: path }).toInfo();
  return new HeirloomError('NOT_FOUND', `${path} cannot be listed (${(error as Error).message}).`, { file: path }).toInfo();
}
