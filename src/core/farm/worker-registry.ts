import type { Redis } from 'ioredis';
import { FarmWorkerSchema, type FarmWorker } from '../../shared/farm.js';
import { farmKeys } from './farm-connection.js';

/** How often a worker writes its heartbeat, and how long a silent worker's record is kept for `farm status`. */
export const HEARTBEAT_MS = 2000;
const RECORD_TTL_S = 24 * 3600;

/** A worker's heartbeat: its record in Redis (name, device, current photos, counts, time). */
export async function writeHeartbeat(redis: Redis, worker: FarmWorker): Promise<void> {
  await redis.multi().sadd(farmKeys.workers, worker.name).set(farmKeys.worker(worker.name), JSON.stringify(worker), 'EX', RECORD_TTL_S).exec();
}

/** A worker that stopped cleanly leaves the list. */
export async function removeWorker(redis: Redis, name: string): Promise<void> {
  await redis.multi().srem(farmKeys.workers, name).del(farmKeys.worker(name)).exec();
}

/** Every worker with a record (a record that does not parse is left out, and one that expired leaves the list). */
export async function listWorkers(redis: Redis, now = Date.now()): Promise<Array<FarmWorker & { silentMs: number }>> {
  const names = (await redis.smembers(farmKeys.workers)).sort();
  const workers: Array<FarmWorker & { silentMs: number }> = [];
  for (const name of names) {
    const raw = await redis.get(farmKeys.worker(name));
    if (raw === null) {
      await redis.srem(farmKeys.workers, name);
      continue;
    }
    const parsed = FarmWorkerSchema.safeParse(safeJson(raw));
    if (parsed.success) workers.push({ ...parsed.data, silentMs: Math.max(0, now - parsed.data.heartbeatAt) });
  }
  return workers;
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
