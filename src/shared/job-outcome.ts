/**
 * How a job ended, in one word the queue, the history and `job-finished` agree on: a job
 * with failures is never shown as plainly finished.
 */
export type JobOutcome = 'finished' | 'finished-with-errors' | 'failed' | 'cancelled';

export function jobOutcome(counts: { succeeded: number; failed: number; skipped: number; cancelled?: boolean }): JobOutcome {
  if (counts.cancelled) return 'cancelled';
  if (counts.failed === 0) return 'finished';
  return counts.succeeded === 0 && counts.skipped === 0 ? 'failed' : 'finished-with-errors';
}

/** For people: "Finished", "Finished with errors", "Failed", "Cancelled". */
export const JOB_OUTCOME_LABEL: Record<JobOutcome, string> = {
  finished: 'Finished',
  'finished-with-errors': 'Finished with errors',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
