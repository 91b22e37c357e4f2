/**
 * The SQLite store (the only importer of better-sqlite3). WAL keeps readers (the app's
 * history view) from blocking the writer (the engine), and survives a kill -9.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { HeirloomError } from '../../shared/errors.js';
import { MIGRATIONS } from './migrations/index.js';

export type Db = Database.Database;

export function openDatabase(path: string): Db {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return db;
  } catch (error) {
    if (error instanceof HeirloomError) throw error;
    throw new HeirloomError('STORE_FAILED', `Could not open the history database at ${path}: ${(error as Error).message}. Check that the data folder is writable.`, { file: path, cause: error });
  }
}

/**
 * Applies every migration newer than the database's user_version. The check and the
 * migrations run in one IMMEDIATE transaction, so two processes opening a fresh database at
 * once (the app and the CLI) cannot both try to create the same tables.
 */
export function migrate(db: Db): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new HeirloomError('STORE_FAILED', `The history database was written by a newer Heirloom (schema ${current}, this one knows ${MIGRATIONS.length}). Update Heirloom.`);
    }
    for (let version = current; version < MIGRATIONS.length; version++) db.exec(MIGRATIONS[version]!);
    if (current < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
