import { resolve } from 'node:path';
import type { JobSettings } from '../../shared/job-settings.js';
import { restoreFingerprint } from '../restore/restore-fingerprint.js';

/**
 * A photo's identity on the farm and its queue entry's id: the settings that decide its
 * output (as requested: the submitting machine need not have the model) and its content
 * hash. The same photo sent twice, or two copies of it in one job, is one entry.
 */
export function farmPhotoId(contentHash: string, settings: JobSettings, outDir: string): string {
  const fingerprint = restoreFingerprint({ ...settings, outDir: resolve(outDir), modelId: settings.modelId ?? 'default', scale: settings.scale ?? 0 });
  return `p${fingerprint}-${contentHash}`;
}
