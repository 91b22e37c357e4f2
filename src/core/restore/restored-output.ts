import { promises as fs } from 'node:fs';
import type { ErrorCode } from '../../shared/errors.js';
import type { RestoredOutput } from '../store/job-store.js';

/**
 * Failures that belong to the photo itself: retrying the same bytes gives the same answer,
 * so `resume` leaves them (a changed file is tried again). Anything else (out of memory, a
 * provider, a full disk, a folder that was unplugged, a cancel) is tried again.
 */
const PERMANENT_FAILURES: ReadonlySet<string> = new Set<ErrorCode>(['EMPTY_FILE', 'UNSUPPORTED_FORMAT', 'DECODE_FAILED', 'TRUNCATED', 'TOO_MANY_PIXELS', 'TOO_SMALL', 'BAD_ASPECT', 'NOT_A_FILE', 'SYMLINK_LOOP']);

export function isRetriableFailure(code: string | null): boolean {
  return code === null || !PERMANENT_FAILURES.has(code);
}

/** The newest recorded output that is still on disk at its recorded size. */
export async function usableOutput(candidates: RestoredOutput[]): Promise<RestoredOutput | undefined> {
  for (const candidate of candidates) {
    const stat = await fs.stat(candidate.outputPath).catch(() => undefined);
    if (stat?.isFile() && (candidate.outputBytes === null || candidate.outputBytes === stat.size)) return candidate;
  }
  return undefined;
}
