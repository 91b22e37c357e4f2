import { promises as fs, type Dirent, type Stats } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { HeirloomError, type ErrorInfo } from '../../shared/errors.js';
import { isTempOutput } from './atomic-output.js';
import { FS_DEADLINE_MS, throwIfCancelled, withDeadline } from './with-deadline.js';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.png', '.webp', '.tif', '.tiff', '.gif', '.bmp', '.heic', '.heif', '.avif']);

export function hasImageExtension(path: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(path).toLowerCase());
}

/** One input: a photo to restore, or a path that already failed while listing. */
export type InputEntry = { path: string; error?: undefined } | { path: string; error: ErrorInfo };

export interface CollectOptions {
  /** Folders never to descend into (the output folder, when it sits inside an input folder). */
  exclude?: string[];
  /** Stops the listing (CANCELLED) between calls and during a call that hangs. */
  signal?: AbortSignal | undefined;
  /** Each folder call's deadline (default FS_DEADLINE_MS): a path that does not answer fails alone with TIMED_OUT. */
  deadlineMs?: number;
}

/** The file-system calls of one listing, each with a deadline and the stop signal. */
interface Lister {
  stat(path: string): Promise<Stats>;
  readdir(path: string): Promise<Dirent[]>;
  realpath(path: string): Promise<string>;
  signal: AbortSignal | undefined;
}

function lister(options: CollectOptions): Lister {
  const ms = options.deadlineMs ?? FS_DEADLINE_MS;
  const timed = <T>(work: Promise<T>, path: string) =>
    withDeadline(work, { ms, signal: options.signal, onTimeout: () => Object.assign(new Error(`no answer within ${Math.round(ms / 1000)} s`), { code: 'ETIMEDOUT', path }) });
  return {
    stat: (path) => timed(fs.stat(path), path),
    // With each entry's type, so a plain file needs no stat of its own (100,000 photos list in well under a second).
    readdir: (path) => timed(fs.readdir(path, { withFileTypes: true }), path),
    realpath: (path) => timed(fs.realpath(path), path),
    signal: options.signal,
  };
}

/**
 * Expands the user's files and folders into photos, in a stable order. Files named
 * explicitly are taken whatever their extension (the decoder judges them); folders are
 * searched recursively for image extensions. Symbolic-link loops are reported, not followed.
 */
export async function collectInputs(paths: string[], options: CollectOptions = {}): Promise<InputEntry[]> {
  const entries: InputEntry[] = [];
  for await (const entry of listInputs(paths, options)) entries.push(entry);
  return entries;
}

/**
 * collectInputs as it goes: each photo is yielded when its folder is read, so a job over a
 * huge folder starts on the first photo instead of waiting for the last to be listed.
 */
export async function* listInputs(paths: string[], options: CollectOptions = {}): AsyncGenerator<InputEntry> {
  const excluded = (options.exclude ?? []).map((p) => resolve(p));
  const io = lister(options);
  const seen = new Set<string>();
  const fresh = (entry: InputEntry) => {
    if (seen.has(entry.path)) return false;
    seen.add(entry.path);
    return true;
  };

  for (const raw of paths) {
    const path = resolve(raw);
    throwIfCancelled(options.signal);
    let stat;
    let real;
    try {
      stat = await io.stat(path);
      if (stat.isDirectory() && !hasImageExtension(path)) real = await io.realpath(path);
    } catch (error) {
      if (isCancel(error)) throw error;
      const entry = { path, error: listingError(error, path) };
      if (fresh(entry)) yield entry;
      continue;
    }
    if (real !== undefined) {
      for await (const entry of walk(io, path, new Set([real]), excluded)) if (fresh(entry)) yield entry;
    } else if (fresh({ path })) {
      yield { path };
    }
  }
}

async function* walk(io: Lister, dir: string, ancestors: Set<string>, excluded: string[]): AsyncGenerator<InputEntry> {
  throwIfCancelled(io.signal);
  let dirents: Dirent[];
  try {
    dirents = (await io.readdir(dir)).sort((a, b) => a.name.localeCompare(b.name));
  } catch (error) {
    if (isCancel(error)) throw error;
    yield { path: dir, error: listingError(error, dir) };
    return;
  }
  for (const dirent of dirents) {
    const name = dirent.name;
    const path = join(dir, name);
    if (name.startsWith('.') || isTempOutput(path)) continue;
    if (excluded.some((e) => path === e || path.startsWith(e + sep))) continue;
    if (dirent.isFile()) {
      if (hasImageExtension(path)) yield { path };
      continue;
    }
    let stat;
    try {
      stat = await io.stat(path);
    } catch (error) {
      if (isCancel(error)) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (hasImageExtension(path) || code === 'ELOOP' || code === 'ETIMEDOUT') yield { path, error: listingError(error, path) };
      continue;
    }
    if (stat.isDirectory()) {
      if (hasImageExtension(path)) {
        yield { path }; // a folder named like a photo: the decoder reports it as NOT_A_FILE
        continue;
      }
      let real;
      try {
        real = await io.realpath(path);
      } catch (error) {
        if (isCancel(error)) throw error;
        yield { path, error: listingError(error, path) };
        continue;
      }
      if (ancestors.has(real)) {
        yield { path, error: new HeirloomError('SYMLINK_LOOP', `${path} links back to a folder that contains it, so it was not followed. Remove or fix the link.`, { file: path }).toInfo() };
        continue;
      }
      yield* walk(io, path, new Set([...ancestors, real]), excluded);
    } else if (hasImageExtension(path)) {
      yield { path };
    }
  }
}

function isCancel(error: unknown): boolean {
  return error instanceof HeirloomError && error.code === 'CANCELLED';
}

function listingError(error: unknown, path: string): ErrorInfo {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ETIMEDOUT') return new HeirloomError('TIMED_OUT', `${path} did not answer within ${(error as Error).message.replace(/^no answer within /, '')} (a stalled network share or drive?), so it was left out. Check the connection, then restore it again.`, { file: path }).toInfo();
  if (code === 'ENOENT') return new HeirloomError('NOT_FOUND', `${path} does not exist. Check the path.`, { file: path }).toInfo();
  if (code === 'ELOOP') return new HeirloomError('SYMLINK_LOOP', `${path} is a symbolic link loop. Remove or fix the link.`, { file: path }).toInfo();
  if (code === 'EACCES' || code === 'EPERM') return new HeirloomError('PERMISSION_DENIED', `${path} cannot be read: permission denied. Give your user access to it.`, { file: path }).toInfo();
  return new HeirloomError('NOT_FOUND', `${path} cannot be listed (${(error as Error).message}).`, { file: path }).toInfo();
}
