import { randomBytes } from 'node:crypto';

/** Sortable, readable job ids: time first, then randomness so two processes never collide. */
export function newJobId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `job-${stamp}-${randomBytes(3).toString('hex')}`;
}
