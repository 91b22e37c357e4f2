import Database from 'better-sqlite3';
import { closeSync, copyFileSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { HeirloomError } from '../../shared/errors.js';
import type { Db } from './database.js';
import { MIGRATIONS } from './migrations/index.js';
import { storeError } from './store-errors.js';

/**
 * Automatic backups of the history database: SQLite's online backup (a consistent copy
 * while the database stays in use), checked, then renamed into `<home>/backups` so a
 * backup is either whole or absent. At most one a day; the newest three are kept.
 */
export interface BackupPolicy {
  dir: string;
  /** Backups kept (default 3). */
  keep?: number;
  /** No new backup while the newest is younger than this (default one day). */
  minIntervalMs?: number;
  now?: () => number;
}

export interface BackupFile {
  path: string;
  /** When it was taken (from its name), ms since the epoch. */
  takenAt: number;
}

export const DEFAULT_KEEP = 3;
export const ONE_DAY_MS = 24 * 60 * 60 * 1000;
const NAME = /^heirloom-(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z\.db$/;

/** `heirloom-2026-12-04T11-30-00-000Z.db`: sorts by time, and says when it was taken. */
export function backupName(takenAt: number): string {
  return `heirloom-${new Date(takenAt).toISOString().replace(/:/g, '-').replace('.', '-')}.db`;
}

/** The backups in `dir`, newest first (temporary files and anything else ignored). */
export function listBackups(dir: string): BackupFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: BackupFile[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
    found.push({ path: join(dir, name), takenAt: Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!) });
  }
  return found.sort((a, b) => b.takenAt - a.takenAt);
}

/** Whether the policy wants a new backup now (none yet, or the newest is a day old). */
export function backupDue(policy: BackupPolicy): boolean {
  const newest = listBackups(policy.dir)[0];
  const now = (policy.now ?? Date.now)();
  return newest === undefined || now - newest.takenAt >= (policy.minIntervalMs ?? ONE_DAY_MS) || newest.takenAt > now;
}

/**
 * Backs `db` up when one is due: written to a temporary file with better-sqlite3's
 * `backup()`, checked (quick_check, switched out of WAL so the file stands alone),
 * flushed, renamed into place; then the oldest beyond `keep` are removed. Returns the new
 * backup's path, or undefined when none was due. A damaged source never replaces a backup.
 */
export async function backUpIfDue(db: Db, policy: BackupPolicy): Promise<string | undefined> {
  if (!backupDue(policy)) return undefined;
  const now = (policy.now ?? Date.now)();
  const target = join(policy.dir, backupName(now));
  const temp = tempNear(target);
  try {
    mkdirSync(policy.dir, { recursive: true });
    await db.backup(temp);
    sealBackup(temp);
    syncPath(temp);
    renameSync(temp, target);
    syncPath(policy.dir);
  } catch (error) {
    rmSync(temp, { force: true });
    rmSync(`${temp}-journal`, { force: true });
    throw backupError(error, target);
  }
  for (const old of listBackups(policy.dir).slice(policy.keep ?? DEFAULT_KEEP)) rmSync(old.path, { force: true });
  return target;
}

/**
 * Copies the newest sound backup (one this Heirloom can read) to `destination` and returns
 * the backup it came from; undefined when there is none. Backups that fail the check are
 * passed over, never removed.
 */
export function copyNewestSoundBackup(dir: string, destination: string): BackupFile | undefined {
  for (const backup of listBackups(dir)) {
    try {
      copyFileSync(backup.path, destination);
      sealBackup(destination);
      syncPath(destination);
      return backup;
    } catch {
      rmSync(destination, { force: true });
      rmSync(`${destination}-journal`, { force: true });
    }
  }
  return undefined;
}

/** Checks a copy of the database and makes it a single self-contained file (rollback journal, not WAL). */
function sealBackup(path: string): void {
  const copy = new Database(path, { fileMustExist: true });
  try {
    const check = copy.pragma('quick_check(1)', { simple: true });
    if (check !== 'ok') throw new HeirloomError('STORE_DAMAGED', `The database copy ${path} is damaged (${String(check)}).`, { file: path });
    const schema = copy.pragma('user_version', { simple: true }) as number;
    if (schema > MIGRATIONS.length) throw new HeirloomError('STORE_TOO_NEW', `The backup ${path} was written by a newer Heirloom (schema ${schema}).`, { file: path });
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

function backupError(error: unknown, target: string): HeirloomError {
  const info = storeError(error, target);
  if (info.code === 'STORE_DAMAGED') return new HeirloomError('STORE_DAMAGED', `No backup was made: ${info.message} The previous backups were kept.`, { file: target, cause: error });
  return new HeirloomError(info.code, `Could not back up the history database to ${dirname(target)}: ${info.message}`, { file: target, cause: error });
}

export function tempNear(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
}

/** fsync a file or a folder (best effort for folders: not every platform can open one). */
export function syncPath(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EISDIR' && (error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
