import type { HistoryFile, HistoryJob, PhotoRef, QueueFile, QueueItem, QueueSnapshot } from '../shared/contract.js';
import { JobSettingsSchema, requestedStages } from '../shared/job-settings.js';

/** A restored photo and its original, ready to compare. */
export interface CompareTarget {
  key: string;
  name: string;
  before: PhotoRef;
  after: PhotoRef;
  /** The repair's damage mask, when the job saved one. */
  mask?: PhotoRef;
  width: number;
  height: number;
  /** What made it: the upscale model, the stages in order, the job. */
  caption: { model: string; stages: string[]; jobId?: string };
}

function stagesOf(settings: unknown): string[] {
  const parsed = JobSettingsSchema.safeParse(settings);
  return parsed.success ? requestedStages(parsed.data) : [];
}

export function targetFromQueue(item: QueueItem, file: QueueFile): CompareTarget | null {
  if (!file.output) return null;
  return {
    key: file.output.path,
    name: file.name,
    before: file,
    after: file.output,
    ...(file.output.mask ? { mask: file.output.mask } : {}),
    width: file.output.width,
    height: file.output.height,
    caption: { model: item.model ?? item.settings.modelId ?? '', stages: stagesOf(item.settings), ...(item.jobId ? { jobId: item.jobId } : {}) },
  };
}

export function targetFromHistory(job: HistoryJob, file: HistoryFile): CompareTarget | null {
  if (!file.output || !file.width || !file.height) return null;
  return {
    key: file.output.path,
    name: file.input.name,
    before: file.input,
    after: file.output,
    ...(file.mask ? { mask: file.mask } : {}),
    width: file.width,
    height: file.height,
    caption: { model: job.modelId, stages: stagesOf(job.settings), jobId: job.id },
  };
}

/** Restored photos in the queue and the history, newest first, each output once. */
export function compareCandidates(snapshot: QueueSnapshot | null, history: HistoryJob[]): CompareTarget[] {
  const seen = new Set<string>();
  const found: CompareTarget[] = [];
  const add = (target: CompareTarget | null) => {
    if (!target || seen.has(target.after.path)) return;
    seen.add(target.after.path);
    found.push(target);
  };
  for (const item of [...(snapshot?.items ?? [])].reverse()) {
    for (const f of item.files) if (f.status === 'done') add(targetFromQueue(item, f));
  }
  for (const job of history) {
    for (const f of job.files) if (f.status === 'done') add(targetFromHistory(job, f));
  }
  return found;
}
