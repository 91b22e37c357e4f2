import type { Redis } from 'ioredis';
import { z } from 'zod';
import { holdsOutput } from '../restore/job-recovery.js';
import { farmKeys } from './farm-connection.js';
import { safeJson } from './worker-registry.js';

const ClaimSchema = z.object({ outputPath: z.string().min(1), outputSha256: z.string().regex(/^[0-9a-f]{64}$/), worker: z.string() });
export type FarmClaim = z.infer<typeof ClaimSchema>;

const CLAIM_TTL_S = 30 * 24 * 3600;

/**
 * Output claims across machines: a worker records a photo's output name and hash in Redis
 * before moving the output into place (as the local history does), so a worker taking over
 * the photo from one that died after the move adopts that output instead of writing a
 * second one.
 */
export async function recordClaim(redis: Redis, photoId: string, claim: FarmClaim): Promise<void> {
  await redis.set(farmKeys.claim(photoId), JSON.stringify(claim), 'EX', CLAIM_TTL_S);
}

/** The output a dead worker moved into place for this photo, complete (its recorded bytes), if any. */
export async function adoptableOutput(redis: Redis, photoId: string): Promise<FarmClaim | undefined> {
  const raw = await redis.get(farmKeys.claim(photoId));
  if (raw === null) return undefined;
  const parsed = ClaimSchema.safeParse(safeJson(raw));
  if (!parsed.success) return undefined;
  return (await holdsOutput(parsed.data.outputPath, parsed.data.outputSha256)) ? parsed.data : undefined;
}
