/**
 * The SQLite store (the only importer of better-sqlite3). WAL keeps readers (the app's
 * history view) from blocking the writer (the engine), and survives a kill -9.
 */
import Database from 'better-sqlite3';
import { HeirloomError } from '../../shared/errors.js';
import { MIGRATIONS } from './migrations/index.js';
import { ensureDataFolder, storeError } from './store-errors.js';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** How long a statement waits for another process's lock before failing (default 5 s). */
  busyTimeoutMs?: number;
  /** Recorded as the Heirloom that last wrote the database (what an older one names when it refuses it). */
  appVersion?: string;
  /** Read every page's structure on open (quick_check) so damage is found now, not halfway through a job. Default true. */
  check?: boolean;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating and migrating when needed) the history database. Every failure is a
 * HeirloomError whose code says what is wrong: STORE_DAMAGED, STORE_LOCKED,
 * STORE_READ_ONLY, DISK_FULL, STORE_TOO_NEW or STORE_FAILED (see store-errors.ts).
 * openHistoryDatabase (database-recovery.ts) is what the app and the CLI call: it recovers
 * from STORE_DAMAGED.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Db {
  if (path !== ':memory:') ensureDataFolder(path);
  let db: Db | undefined;
  try {
    // The busy timeout is set before the first statement: switching to WAL waits for a lock too.
    db = new Database(path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    if (options.check !== false && path !== ':memory:') checkStructure(db, path);
    migrate(db);
    if (options.appVersion) recordAppVersion(db, options.appVersion);
    return db;
  } catch (error) {
    db?.close();
    throw storeError(error, path);
  }
}

/** SQLite's quick_check: every b-tree page well formed and in bounds (what a torn or partial copy breaks). */
function checkStructure(db: Db, path: string): void {
  const rows = db.pragma('quick_check(3)') as Array<{ quick_check: string }>;
  const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
  if (problems.length > 0) {
    const cause = new Error(problems.join('; '));
    throw new HeirloomError('STORE_DAMAGED', `The history database ${path} is damaged (${cause.message}).`, { file: path, cause });
  }
}

/**
 * Applies every migration newer than the database's user_version. The check and the
 * migrations run in one IMMEDIATE transaction, so two processes opening a fresh database at
 * once (the app and the CLI) cannot both try to create the same tables. An up-to-date
 * database is only read: opening it takes no write lock.
 */
export function migrate(db: Db): void {
  const before = db.pragma('user_version', { simple: true }) as number;
  if (before > MIGRATIONS.length) throw tooNew(db, before);
  if (before === MIGRATIONS.length) return;
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) throw tooNew(db, current);
    for (let version = current; version < MIGRATIONS.length; version++) db.exec(MIGRATIONS[version]!);
    if (current < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

/** The Heirloom that last wrote this database, when it recorded it (schema 5 and later). */
export function writtenBy(db: Db): string | undefined {
  try {
    const row = db.prepare(`SELECT value FROM heirloom_meta WHERE key = 'app_version'`).get() as { value: string } | undefined;
    return row?.value;
  } catch {
    return undefined;
  }
}

function tooNew(db: Db, schema: number): HeirloomError {
  const version = writtenBy(db);
  const file = db.name;
  return new HeirloomError(
    'STORE_TOO_NEW',
    `The history database ${file} was written by a newer Heirloom (${version ? `version ${version}, ` : ''}schema ${schema}; this Heirloom knows schema ${MIGRATIONS.length}). It was left untouched: update Heirloom${version ? ` to ${version} or later` : ''}, or use another data folder with --home or HEIRLOOM_HOME.`,
    { file },
  );
}

function recordAppVersion(db: Db, version: string): void {
  if (writtenBy(db) === version) return;
  db.prepare(`INSERT INTO heirloom_meta (key, value) VALUES ('app_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(version);
}
