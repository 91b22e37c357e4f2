import { HeirloomError, type ErrorInfo } from '../../shared/errors.js';
import { sha256File } from '../fs/content-hash.js';
import { statWithin } from '../fs/with-deadline.js';
import type { JobStore, RestoredOutput } from '../store/job-store.js';
import { isRetriableFailure, usableOutput } from './restored-output.js';

/** What identifies a photo whatever its name: its content hash (with the size and time it was read at). */
export type PhotoIdentity = { contentHash: string; size: number; mtimeMs: number };

/** Why a photo needs no work; absent when it does. */
export type NoWorkReason =
  /** Restored before with the same settings, and the output is still there. */
  | { kind: 'restored'; reason: string; output: string; earlier: RestoredOutput }
  /** The same bytes appear earlier in this job. */
  | { kind: 'twin'; reason: string }
  /** One of Heirloom's own outputs (a watch folder that holds its output folder). */
  | { kind: 'own-output'; reason: string }
  /** Its content failed before for a reason that does not pass (only when asked: watch folders). */
  | { kind: 'failed-before'; reason: string; code: string };

/**
 * The one place that decides "is this photo already restored?", for restore, resume and
 * watch alike, and that hashes each photo once per process: a hash is reused while the
 * file's size and modification time are unchanged (from the history, or from this cache).
 */
export class PhotoIdentities {
  private readonly hashes = new Map<string, string>();

  constructor(private readonly jobs: JobStore) {}

  /** The photo's identity, or why it cannot be read. */
  async identify(path: string, signal?: AbortSignal): Promise<PhotoIdentity | { error: ErrorInfo }> {
    try {
      const stat = await statWithin(path, signal);
      if (!stat.isFile()) return { error: new HeirloomError('NOT_A_FILE', `${path} is not a file (a folder?), so it cannot be restored. Pass the photos inside it instead.`, { file: path }).toInfo() };
      const key = `${path}\0${stat.size}\0${Math.round(stat.mtimeMs)}`;
      let contentHash = this.hashes.get(key) ?? this.jobs.knownContentHash(path, stat.size, stat.mtimeMs);
      if (contentHash === undefined) {
        contentHash = await sha256File(path, signal ? { signal } : {});
        if (this.hashes.size >= MAX_CACHED) this.hashes.delete(this.hashes.keys().next().value!);
        this.hashes.set(key, contentHash);
      }
      return { contentHash, size: stat.size, mtimeMs: stat.mtimeMs };
    } catch (error) {
      if (error instanceof HeirloomError && error.code === 'CANCELLED') throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') return { error: new HeirloomError('PERMISSION_DENIED', `${path} cannot be read: permission denied. Give your user access to it.`, { file: path }).toInfo() };
      return { error: new HeirloomError('NOT_FOUND', `${path} is gone (${code ?? (error as Error).message}). Put it back (or plug its drive in) and resume.`, { file: path }).toInfo() };
    }
  }

  /**
   * Why a photo with this identity needs no work under these settings (the fingerprint):
   * restored before, a twin of a photo earlier in the job (`firstOfContent`), and, when
   * asked, one of Heirloom's own outputs or content that failed before for good.
   */
  async noWorkReason(
    path: string,
    identity: PhotoIdentity,
    fingerprint: string,
    options: { firstOfContent?: Map<string, string>; skipOwnOutputs?: boolean; skipPermanentFailures?: boolean } = {},
  ): Promise<NoWorkReason | undefined> {
    const { contentHash } = identity;
    if (options.skipOwnOutputs && (this.jobs.isKnownOutput({ path }) || this.jobs.isKnownOutput({ sha256: contentHash }))) {
      return { kind: 'own-output', reason: 'a photo Heirloom restored, so it is not restored again' };
    }
    const earlier = await usableOutput(this.jobs.findRestored(contentHash, fingerprint));
    if (earlier) return { kind: 'restored', reason: `already restored with the same settings as ${earlier.outputPath} (job ${earlier.jobId})`, output: earlier.outputPath, earlier };
    const twin = options.firstOfContent?.get(contentHash);
    if (twin) return { kind: 'twin', reason: `the same photo as ${twin} in this job` };
    if (options.skipPermanentFailures) {
      const failure = this.jobs.lastFailure(contentHash, fingerprint);
      if (failure && !isRetriableFailure(failure.code)) return { kind: 'failed-before', reason: `failed before and has not changed since: ${failure.message}`, code: failure.code };
    }
    return undefined;
  }
}

const MAX_CACHED = 100_000;
