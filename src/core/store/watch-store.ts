import { randomBytes } from 'node:crypto';
import { WatchPresetSchema, type WatchPreset } from '../../shared/watch.js';
import type { Db } from './database.js';

/** A watch folder as stored: what to watch, where to write, how; and which process watches it. */
export interface WatchFolderRecord {
  id: string;
  path: string;
  outDir: string;
  preset: WatchPreset;
  paused: boolean;
  /** The process watching it (see ProcessOwner), or null. */
  owner: string | null;
  createdAt: number;
  updatedAt: number;
}

interface WatchRow {
  id: string;
  path: string;
  out_dir: string;
  preset: string;
  paused: number;
  owner: string | null;
  created_at: number;
  updated_at: number;
}

/** Watch folders in SQLite (migration 004). Paths are stored as given: callers resolve them. */
export class WatchStore {
  constructor(private readonly db: Db) {}

  list(): WatchFolderRecord[] {
    return (this.db.prepare(`SELECT * FROM watch_folders ORDER BY created_at, rowid`).all() as WatchRow[]).map(toRecord);
  }

  get(id: string): WatchFolderRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM watch_folders WHERE id = ?`).get(id) as WatchRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  find(path: string, outDir: string): WatchFolderRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM watch_folders WHERE path = ? AND out_dir = ?`).get(path, outDir) as WatchRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  add(folder: { path: string; outDir: string; preset: WatchPreset; paused?: boolean }): WatchFolderRecord {
    const id = `watch-${randomBytes(6).toString('hex')}`;
    const now = Date.now();
    this.db
      .prepare(`INSERT INTO watch_folders (id, path, out_dir, preset, paused, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(id, folder.path, folder.outDir, JSON.stringify(WatchPresetSchema.parse(folder.preset)), folder.paused ? 1 : 0, now, now);
    return this.get(id)!;
  }

  update(id: string, patch: { preset?: WatchPreset; paused?: boolean }): WatchFolderRecord | undefined {
    const current = this.get(id);
    if (!current) return undefined;
    const preset = patch.preset ? WatchPresetSchema.parse(patch.preset) : current.preset;
    const paused = patch.paused ?? current.paused;
    this.db.prepare(`UPDATE watch_folders SET preset = ?, paused = ?, updated_at = ? WHERE id = ?`).run(JSON.stringify(preset), paused ? 1 : 0, Date.now(), id);
    return this.get(id);
  }

  remove(id: string): boolean {
    return this.db.prepare(`DELETE FROM watch_folders WHERE id = ?`).run(id).changes === 1;
  }

  /**
   * Takes the folder for `owner` unless a live process holds it (`isAlive` judges the
   * current holder). Atomic: two processes starting together cannot both win.
   */
  claim(id: string, owner: string, isAlive: (holder: string) => boolean): { ok: true } | { ok: false; holder: string } {
    return this.db.transaction(() => {
      const row = this.db.prepare(`SELECT owner FROM watch_folders WHERE id = ?`).get(id) as { owner: string | null } | undefined;
      if (row?.owner && row.owner !== owner && isAlive(row.owner)) return { ok: false as const, holder: row.owner };
      this.db.prepare(`UPDATE watch_folders SET owner = ? WHERE id = ?`).run(owner, id);
      return { ok: true as const };
    }).immediate();
  }

  release(id: string, owner: string): void {
    this.db.prepare(`UPDATE watch_folders SET owner = NULL WHERE id = ? AND owner = ?`).run(id, owner);
  }
}

function toRecord(row: WatchRow): WatchFolderRecord {
  return {
    id: row.id,
    path: row.path,
    outDir: row.out_dir,
    preset: WatchPresetSchema.parse(JSON.parse(row.preset)),
    paused: row.paused === 1,
    owner: row.owner,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
