import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { redactRedisUrl, type FarmStatus } from '../../shared/farm.js';
import { checkFarmReachable, FARM_PREFIX, FARM_QUEUE, farmConnectionError, redisOptionsFromUrl } from './farm-connection.js';
import { listWorkers } from './worker-registry.js';

/** `heirloom farm status`: the workers (name, device, current photos, counts, last heartbeat) and the queue's depth. */
export async function readFarmStatus(redisUrl: string): Promise<FarmStatus> {
  await checkFarmReachable(redisUrl);
  const connection = redisOptionsFromUrl(redisUrl);
  const redis = new Redis({ ...connection, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  const queue = new Queue(FARM_QUEUE, { connection: { ...connection, retryStrategy: () => null }, prefix: FARM_PREFIX });
  queue.on('error', () => undefined);
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const workers = await listWorkers(redis);
    const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
    return {
      redis: redactRedisUrl(redisUrl),
      workers,
      queue: { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, completed: counts.completed ?? 0, failed: counts.failed ?? 0, delayed: counts.delayed ?? 0 },
    };
  } catch (error) {
    throw farmConnectionError(redisUrl, error);
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
}
