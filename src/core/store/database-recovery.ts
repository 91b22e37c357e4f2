import { copyFileSync, existsSync, linkSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { HeirloomError } from '../../shared/errors.js';
import { acquireLockFileSync, type LockHolder } from '../fs/lock-file.js';
import { ProcessOwner } from './process-owner.js';
import { copyNewestSoundBackup, listBackups, syncPath, tempNear } from './database-backup.js';
import { openDatabase, type Db, type OpenDatabaseOptions } from './database.js';

/** What the user is told after a damaged history database was replaced (a CLI warning, a notice in the app). */
export interface DatabaseNotice {
  code: 'STORE_RECOVERED';
  /** One sentence: what happened, where the damaged file is, where the history now comes from. */
  message: string;
  /** The damaged database, renamed with the date; never deleted. */
  damagedCopy: string;
  /** The backup the history was restored from; absent when a fresh database was started. */
  restoredFrom?: string;
}

export interface HistoryDatabaseOptions extends OpenDatabaseOptions {
  /** Where the automatic backups are (database-backup.ts). */
  backupsDir: string;
  now?: () => number;
  /** Another process recovering the same file is waited for this long (default 30 s). */
  recoveryWaitMs?: number;
  /** Who this process is, for the recovery lock (default: this process). */
  holder?: LockHolder;
}

/**
 * Opens the history database so that damage never blocks restoring: a database that is
 * damaged (a disk fault, a bad sync, a partial copy) is moved aside under a dated name,
 * and replaced by the newest sound backup or, without one, by a fresh database. Other
 * failures (locked, read-only, disk full, newer Heirloom) are thrown with their own code:
 * those files are sound and are never moved.
 *
 * The damaged file is kept by a hard link (a copy where links are not possible) and the
 * replacement is renamed over it, so the path always names a whole database, and another
 * process opening it meanwhile sees either the damaged one (and waits on the recovery lock)
 * or the replacement, never a missing file it would recreate empty.
 */
export function openHistoryDatabase(path: string, options: HistoryDatabaseOptions): { db: Db; notice?: DatabaseNotice } {
  try {
    if (emptiedWithBackups(path, options.backupsDir)) throw new HeirloomError('STORE_DAMAGED', `The history database ${path} is empty.`, { file: path, cause: new Error('the file is empty') });
    return { db: openDatabase(path, options) };
  } catch (error) {
    if (!isDamaged(error)) throw error;
  }
  const owner = options.holder ?? processHolder();
  const release = acquireLockFileSync(`${path}.recovering`, owner, { timeoutMs: options.recoveryWaitMs ?? 30_000 });
  if (!release) {
    throw new HeirloomError('STORE_LOCKED', `The history database ${path} is damaged and another Heirloom has been repairing it for too long. Close other Heirloom windows and commands, then try again.`, { file: path });
  }
  try {
    let damage: HeirloomError;
    try {
      // Another process may have replaced it while this one waited for the lock.
      if (emptiedWithBackups(path, options.backupsDir)) throw new HeirloomError('STORE_DAMAGED', `The history database ${path} is empty.`, { file: path, cause: new Error('the file is empty') });
      return { db: openDatabase(path, options) };
    } catch (error) {
      if (!isDamaged(error)) throw error;
      damage = error;
    }
    const now = (options.now ?? Date.now)();
    const aside = keepAside(path, now);
    const replacement = tempNear(path);
    const backup = copyNewestSoundBackup(options.backupsDir, replacement);
    if (!backup) openDatabase(replacement, { ...options, check: false }).close();
    renameSync(replacement, path);
    syncPath(dirname(path));
    const db = openDatabase(path, options);
    const reason = (damage.cause instanceof Error ? damage.cause.message : undefined) ?? damage.message;
    const message = backup
      ? `The history database was damaged (${reason}), so it was moved to ${aside} and the history was restored from the automatic backup of ${new Date(backup.takenAt).toLocaleString()} (${backup.path}); jobs recorded after that backup are only in the damaged file.`
      : `The history database was damaged (${reason}) and there was no backup, so it was moved to ${aside} and a new, empty history was started.`;
    return { db, notice: { code: 'STORE_RECOVERED', message, damagedCopy: aside, ...(backup ? { restoredFrom: backup.path } : {}) } };
  } finally {
    release();
  }
}

/** `heirloom.db` -> `heirloom-damaged-2026-12-04T11-30-00-000Z.db` (then ` (1)`, ...): never replaces an earlier one. */
export function damagedName(path: string, at: number, n = 0): string {
  const ext = extname(path);
  const stamp = new Date(at).toISOString().replace(/:/g, '-').replace('.', '-');
  return join(dirname(path), `${basename(path, ext)}-damaged-${stamp}${n > 0 ? ` (${n})` : ''}${ext}`);
}

/**
 * Keeps the damaged file under its dated name (a hard link, so the bytes are never copied
 * or changed; a copy where the file system has no links), with its WAL beside it; its
 * shared-memory index is only a cache and is removed so it cannot be paired with the
 * replacement.
 */
function keepAside(path: string, now: number): string {
  let aside = damagedName(path, now);
  for (let n = 1; existsSync(aside); n++) aside = damagedName(path, now, n);
  try {
    linkSync(path, aside);
  } catch {
    copyFileSync(path, aside);
  }
  syncPath(aside);
  if (existsSync(`${path}-wal`)) renameSync(`${path}-wal`, `${aside}-wal`);
  rmSync(`${path}-shm`, { force: true });
  return aside;
}

/**
 * A zero-byte database where backups exist: SQLite would take it for a new, empty
 * database, but a database that was backed up had its tables, so an empty file is what a
 * failed copy or sync left: damage.
 */
function emptiedWithBackups(path: string, backupsDir: string): boolean {
  try {
    return statSync(path).size === 0 && !existsSync(`${path}-wal`) && listBackups(backupsDir).length > 0;
  } catch {
    return false;
  }
}

function isDamaged(error: unknown): error is HeirloomError {
  return error instanceof HeirloomError && error.code === 'STORE_DAMAGED';
}

function processHolder(): LockHolder {
  const owner = new ProcessOwner();
  return { token: owner.token, isAlive: (token) => owner.isAlive(token) };
}
