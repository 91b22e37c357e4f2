import type { HistoryFile, HistoryJob, PhotoRef } from '../../shared/contract-views.js';
import type { JobFileRecord, JobRecord } from '../store/job-store.js';
import { maskPathFor } from '../stages/mask-path.js';

/** A history record as the page sees it: every input and output as a granted photo reference. */
export function toHistoryJob(record: JobRecord, photoRef: (path: string) => PhotoRef): HistoryJob {
  return {
    id: record.id,
    kind: record.kind,
    status: record.status,
    settings: record.settings,
    modelId: record.modelId,
    deviceId: record.deviceId,
    createdAt: record.createdAt,
    finishedAt: record.finishedAt,
    succeeded: record.succeeded,
    failed: record.failed,
    skipped: record.skipped,
    ms: record.ms,
    ...(record.listed === false ? { listing: true } : {}),
    files: toHistoryFiles(record.settings, record.files, photoRef),
    fileCount: record.fileCount,
  };
}

/** A job's file records as the page sees them; `settings` (the job's) say whether masks were saved beside the outputs. */
export function toHistoryFiles(settings: Record<string, unknown>, files: readonly JobFileRecord[], photoRef: (path: string) => PhotoRef): HistoryFile[] {
  const masksSaved = settings['scratches'] === true && settings['saveMasks'] === true;
  return files.map((f) => ({
    position: f.position,
    input: photoRef(f.inputPath),
    ...(f.outputPath ? { output: photoRef(f.outputPath) } : {}),
    ...(f.outputPath && masksSaved && f.status === 'done' ? { mask: photoRef(maskPathFor(f.outputPath)) } : {}),
    status: f.status,
    errorCode: f.errorCode,
    errorMessage: f.errorMessage,
    width: f.width,
    height: f.height,
    ms: f.ms,
    ...(f.ranOn ? { ranOn: f.ranOn } : {}),
  }));
}
