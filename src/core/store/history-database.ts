import { join } from 'node:path';
import { backUpIfDue, type BackupPolicy } from './database-backup.js';
import type { Db } from './database.js';
import { openHistoryDatabase, type DatabaseNotice, type HistoryDatabaseOptions } from './database-recovery.js';

export interface HistoryDatabaseSetup extends Omit<HistoryDatabaseOptions, 'backupsDir'> {
  /** The data folder's database file (homeLayout().database). */
  path: string;
  /** Default: `backups` beside the database. */
  backupsDir?: string;
  /** Backup rotation (default: one a day, three kept). */
  backups?: Omit<BackupPolicy, 'dir'>;
  /** A backup that failed (never fatal: the next job tries again). */
  onBackupError?: (error: unknown) => void;
}

/**
 * The history database of one process, as the app and the CLI hold it: opened with
 * recovery from damage (the notice says what happened), backed up after jobs finish (at
 * most once a day), and closed only after a backup in progress is written.
 */
export class HistoryDatabase {
  readonly db: Db;
  readonly notice: DatabaseNotice | undefined;
  readonly backupsDir: string;
  private pending: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly setup: HistoryDatabaseSetup) {
    this.backupsDir = setup.backupsDir ?? join(setup.path, '..', 'backups');
    const opened = openHistoryDatabase(setup.path, { ...setup, backupsDir: this.backupsDir });
    this.db = opened.db;
    this.notice = opened.notice;
  }

  /** A job finished: back the database up if a day has passed since the last backup (in the background). */
  jobFinished(): void {
    if (this.closed || this.pending) return;
    this.pending = backUpIfDue(this.db, { ...this.setup.backups, dir: this.backupsDir })
      .then(
        () => undefined,
        (error: unknown) => this.setup.onBackupError?.(error),
      )
      .finally(() => {
        this.pending = undefined;
      });
  }

  /** Resolves when no backup is being written. */
  async settled(): Promise<void> {
    await this.pending;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pending;
    this.db.close();
  }
}
