import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { HeirloomError } from '../../shared/errors.js';

/**
 * What went wrong with the history database, as an error a user can act on: each cause has
 * its own code (SQLite's result codes and Node's errno codes map onto them), says which
 * file, and says what to do.
 */
export function storeError(error: unknown, path: string): HeirloomError {
  if (error instanceof HeirloomError) return error;
  const code = String((error as { code?: unknown }).code ?? '');
  const text = error instanceof Error ? error.message : String(error);
  const folder = dirname(path);
  if (isDamage(code)) {
    return new HeirloomError('STORE_DAMAGED', `The history database ${path} is damaged (${text}).`, { file: path, cause: error });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new HeirloomError(
      'STORE_LOCKED',
      `The history database ${path} is locked by another program. Close the other program using it (another Heirloom busy with a long job, a database browser, a backup or sync tool), then try again.`,
      { file: path, cause: error },
    );
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || /disk is full|no space left/i.test(text)) {
    return new HeirloomError('DISK_FULL', `The disk holding the data folder ${folder} is full, so the history database ${path} cannot be written. Free some space on it, then try again.`, { file: path, cause: error });
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || (code.startsWith('SQLITE_CANTOPEN') && !isWritable(folder))) {
    return new HeirloomError(
      'STORE_READ_ONLY',
      `The data folder ${folder} is read-only, so the history database ${path} cannot be written. Make the folder (and the file) writable for your user, or choose another data folder with --home or HEIRLOOM_HOME.`,
      { file: path, cause: error },
    );
  }
  return new HeirloomError('STORE_FAILED', `Could not open the history database ${path} (${text}). Check the data folder ${folder}, or choose another one with --home or HEIRLOOM_HOME.`, { file: path, cause: error });
}

/**
 * A SQLite failure met while the database was in use (not while opening it), as an error a
 * user can act on; undefined for anything that is not SQLite's. Damage found mid-job says
 * that the next start repairs it from the backup.
 */
export function inUseStoreError(error: unknown, path = 'the history database'): HeirloomError | undefined {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (error instanceof HeirloomError || !code.startsWith('SQLITE_')) return undefined;
  const described = storeError(error, path);
  if (described.code !== 'STORE_DAMAGED') return described;
  return new HeirloomError('STORE_DAMAGED', `${described.message} Run Heirloom again: it moves the damaged file aside and continues from the latest backup.`, { file: path, cause: error });
}

/** SQLite's ways of saying the file is not a sound database (corrupt page, not a database, short read of a truncated file). */
export function isDamage(code: string): boolean {
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || code === 'SQLITE_IOERR_SHORT_READ' || code === 'SQLITE_FORMAT';
}

/** Creates the folder of the database, with the same error codes as opening it. */
export function ensureDataFolder(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw storeError(error, path);
  }
}

function isWritable(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
