import { ProcessOwner } from './process-owner.js';
import type { Db } from './database.js';

/** Who holds a lease, and whether the holder named by a token still runs (ProcessOwner). */
export interface LeaseHolder {
  token: string;
  isAlive(token: string): boolean;
}

/**
 * Claims on work only one process should do at a time (tuning a device for a model):
 * a row per claim with its holder and an expiry. A holder renews while it works; a
 * claim whose holder died, or that expired, is taken over.
 */
export class WorkLeases {
  constructor(
    private readonly db: Db,
    private readonly holder: LeaseHolder,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes `name` for `ttlMs` when it is free, expired, already ours, or its holder died. */
  tryAcquire(name: string, ttlMs: number): boolean {
    const now = this.now();
    const current = this.db.prepare(`SELECT owner, expires_at FROM work_leases WHERE name = ?`).get(name) as { owner: string; expires_at: number } | undefined;
    if (current && current.owner !== this.holder.token && current.expires_at > now && this.holder.isAlive(current.owner)) return false;
    const taken = this.db
      .prepare(
        `INSERT INTO work_leases (name, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE work_leases.owner = ? AND work_leases.expires_at = ?`,
      )
      .run(name, this.holder.token, now + ttlMs, current?.owner ?? '', current?.expires_at ?? 0);
    // Another process may have taken it between the read and the write: then nothing changed.
    return taken.changes === 1;
  }

  /** Extends our claim; false when it is no longer ours. */
  renew(name: string, ttlMs: number): boolean {
    return this.db.prepare(`UPDATE work_leases SET expires_at = ? WHERE name = ? AND owner = ?`).run(this.now() + ttlMs, name, this.holder.token).changes === 1;
  }

  release(name: string): void {
    this.db.prepare(`DELETE FROM work_leases WHERE name = ? AND owner = ?`).run(name, this.holder.token);
  }

  /** The holder of `name` while the claim is live, else undefined. */
  holderOf(name: string): string | undefined {
    const row = this.db.prepare(`SELECT owner, expires_at FROM work_leases WHERE name = ?`).get(name) as { owner: string; expires_at: number } | undefined;
    return row && row.expires_at > this.now() && this.holder.isAlive(row.owner) ? row.owner : undefined;
  }
}

/** Leases held by this process (its ProcessOwner token). */
export function processLeases(db: Db): WorkLeases {
  const owner = new ProcessOwner();
  return new WorkLeases(db, { token: owner.token, isAlive: (token) => owner.isAlive(token) });
}
