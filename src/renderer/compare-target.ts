import type { HistoryJob, PhotoRef, QueueSnapshot } from '../shared/contract.js';

/** A restored photo and its original, ready to compare. */
export interface CompareTarget {
  key: string;
  name: string;
  before: PhotoRef;
  after: PhotoRef;
  width: number;
  height: number;
}

/** Restored photos in the queue and the history, newest first, each once. */
export function compareCandidates(snapshot: QueueSnapshot | null, history: HistoryJob[]): CompareTarget[] {
  const seen = new Set<string>();
  const found: CompareTarget[] = [];
  const add = (target: CompareTarget) => {
    if (seen.has(target.after.path)) return;
    seen.add(target.after.path);
    found.push(target);
  };
  for (const item of [...(snapshot?.items ?? [])].reverse()) {
    for (const f of item.files) {
      if (f.status === 'done' && f.output) add({ key: f.output.path, name: f.name, before: f, after: f.output, width: f.output.width, height: f.output.height });
    }
  }
  for (const job of history) {
    for (const f of job.files) {
      if (f.status === 'done' && f.output && f.width && f.height) add({ key: f.output.path, name: f.input.name, before: f.input, after: f.output, width: f.width, height: f.height });
    }
  }
  return found;
}
