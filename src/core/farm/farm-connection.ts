import { Redis } from 'ioredis';
import { HeirloomError } from '../../shared/errors.js';
import { redactRedisUrl } from '../../shared/farm.js';

/** BullMQ's key prefix and queue name: every farm key starts with `heirloom:`. */
export const FARM_PREFIX = 'heirloom';
export const FARM_QUEUE = 'restore';

/** The farm's own keys beside BullMQ's (a farm job's record, the workers' heartbeats, output claims). */
export const farmKeys = {
  job: (farmJobId: string) => `${FARM_PREFIX}:farm:job:${farmJobId}`,
  workers: `${FARM_PREFIX}:farm:workers`,
  worker: (name: string) => `${FARM_PREFIX}:farm:worker:${name}`,
  claim: (photoId: string) => `${FARM_PREFIX}:farm:claim:${photoId}`,
};

/**
 * Connection options for a `redis://` or `rediss://` (TLS) URL, with its user, password and
 * database number. The password is only ever in these options: everything shown or stored
 * names the farm by `redactRedisUrl`.
 */
export interface FarmRedisOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: { servername: string };
  maxRetriesPerRequest: null;
}

export function redisOptionsFromUrl(url: string): FarmRedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HeirloomError('USAGE', `${redactRedisUrl(url)} is not a Redis URL. Use redis://host:6379, redis://:password@host:6379, or rediss://... for TLS.`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new HeirloomError('USAGE', `${redactRedisUrl(url)} is not a Redis URL (it starts with ${parsed.protocol}//). Use redis://host:6379, or rediss://host:6380 for TLS.`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) throw new HeirloomError('USAGE', `${redactRedisUrl(url)}: the path must be a database number (redis://host:6379/0).`);
  const password = parsed.password ? decodeURIComponent(parsed.password) : parsed.searchParams.get('password') ?? undefined;
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(password ? { password } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: { servername: parsed.hostname } } : {}),
    // BullMQ's workers block on Redis: they must wait for a reconnect, not fail the command.
    maxRetriesPerRequest: null,
  };
}

/** What an error from Redis or BullMQ means for the user, with the farm named without its password. */
export function farmConnectionError(url: string, error: unknown): HeirloomError {
  const text = (error instanceof Error ? error.message : String(error)).replace(/\.+$/, '');
  return new HeirloomError('USAGE', `Cannot use the farm at ${redactRedisUrl(url)}: ${redactRedisUrl(text)}. Check that Redis runs there (redis-cli -u URL ping) and that the password is right.`, { cause: redactRedisUrl(text) });
}

/** How long reaching the farm may take before a command says it cannot. */
export const CONNECT_TIMEOUT_MS = 5000;

/**
 * Checks once that the farm answers (and accepts the password), without retrying: a wrong
 * host or password is said at once instead of hanging while BullMQ reconnects forever.
 */
export async function checkFarmReachable(url: string): Promise<void> {
  const redis = new Redis({ ...redisOptionsFromUrl(url), lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  let first: unknown;
  redis.on('error', (error) => (first ??= error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw farmConnectionError(url, first ?? error);
  } finally {
    redis.disconnect();
  }
}
