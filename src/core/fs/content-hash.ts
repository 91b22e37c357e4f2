import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { HeirloomError } from '../../shared/errors.js';

/**
 * The sha256 of a file's bytes, hex: what identifies a photo (and an output) whatever its
 * name. `signal` stops the read between chunks (a stop while hashing a large folder).
 */
export async function sha256File(path: string, options: { signal?: AbortSignal | undefined } = {}): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, ...(options.signal ? { signal: options.signal } : {}) })) hash.update(chunk as Buffer);
  } catch (error) {
    if (options.signal?.aborted) throw new HeirloomError('CANCELLED', 'The job was cancelled.', { file: path });
    throw error;
  }
  return hash.digest('hex');
}
