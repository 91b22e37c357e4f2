import type { QueueFile, QueueItem } from '../../shared/contract.js';
import type { ProgressEvent } from '../../shared/events.js';
import { formatDuration, percent } from '../format.js';
import { liveKey } from '../hooks/use-queue.js';
import { ErrorNote } from './ErrorNote.js';
import { Icon } from './Icon.js';
import { PhotoRow } from './PhotoRow.js';
import { ProgressBar } from './ProgressBar.js';

const STATE_LABEL: Record<QueueItem['state'], string> = {
  queued: 'Waiting',
  running: 'Restoring',
  paused: 'Paused',
  finished: 'Finished',
  'finished-with-errors': 'Finished with errors',
  cancelled: 'Cancelled',
  failed: 'Failed',
  interrupted: 'Interrupted',
};

/** Overall progress of a job: finished photos count whole, running ones (all of them listed) by their fraction. */
function jobProgress(item: QueueItem, live: ReadonlyMap<string, ProgressEvent>): number {
  if (item.photos.total === 0) return item.state === 'finished' || item.state === 'finished-with-errors' ? 1 : 0;
  let done = item.photos.done + item.photos.failed + item.photos.skipped;
  for (const f of item.files) {
    if (f.status === 'running' || f.status === 'queued') done += live.get(liveKey(item.jobId, f.path))?.value ?? f.value;
  }
  return done / photoTotal(item);
}

/** Photos of the job: those the queue counts, or as many as the listing has found when it found more. */
function photoTotal(item: QueueItem): number {
  return Math.max(item.photos.total, item.listing?.files ?? 0);
}

/** "and 99,940 more photos (History lists every one)" under a big job's window of photos. */
function unlistedNote(item: QueueItem): string | null {
  const unlisted = photoTotal(item) - item.files.length;
  return unlisted > 0 ? `and ${unlisted.toLocaleString('en')} more photo${unlisted === 1 ? '' : 's'} not listed here (History lists every one)` : null;
}

/** "12 photos", or "1,200+ photos" while a huge folder is still being listed (the total is not known yet). */
function photoCount(item: QueueItem): string {
  const total = photoTotal(item);
  const more = item.listing !== undefined && !item.listing.done && item.state === 'running';
  return `${total.toLocaleString('en')}${more ? '+' : ''} photo${total === 1 && !more ? '' : 's'}`;
}

const MEASURING_NOTICE = /^Measuring the fastest tile size/;

export function QueueCard({ item, live, queuePaused, onCancel, onCompare }: { item: QueueItem; live: ReadonlyMap<string, ProgressEvent>; queuePaused: boolean; onCancel: (item: QueueItem) => void; onCompare: (item: QueueItem, file: QueueFile) => void }) {
  const active = item.state === 'running' || item.state === 'paused' || item.state === 'queued';
  const progress = jobProgress(item, live);
  const latest = [...item.files].map((f) => live.get(liveKey(item.jobId, f.path))).filter((p): p is ProgressEvent => p !== undefined).pop();
  const etaMs = latest?.etaMs ?? item.etaMs;
  const { done, failed } = item.photos;
  const unlisted = unlistedNote(item);
  // "Measuring the fastest tile size…" holds only while it measures: until a photo is being inferred, and never after the job.
  const measured = item.state !== 'running' || done > 0 || item.files.some((f) => f.stage === 'inferring' || f.stage === 'encoding');
  const warnings = measured ? item.warnings.filter((w) => !MEASURING_NOTICE.test(w)) : item.warnings;
  return (
    <article className={`card queue-item state-${item.state}`} data-testid="queue-item" data-state={item.state} data-job-id={item.jobId ?? ''}>
      <header className="queue-item-head">
        <div>
          <h3>
            {photoCount(item)}
            <span className={`chip chip-${item.state}`} data-testid="queue-state">
              {item.cancelRequested && active ? 'Cancelling…' : STATE_LABEL[item.state]}
            </span>
          </h3>
          <p className="subtle small">
            {item.model ?? item.settings.modelId} · {item.device ?? item.settings.deviceId ?? 'automatic device'} · to <span title={item.settings.outDir}>{item.settings.outDir}</span>
          </p>
        </div>
        {active && !item.cancelRequested && (
          <button type="button" className="button ghost" onClick={() => onCancel(item)} data-testid="cancel-job">
            <Icon name="stop" size={16} /> Cancel
          </button>
        )}
      </header>
      <div className="queue-item-progress">
        <ProgressBar value={progress} label="Job progress" tone={item.state === 'failed' || item.state === 'finished-with-errors' ? 'failed' : item.state === 'paused' || (queuePaused && item.state === 'queued') ? 'paused' : item.state === 'finished' ? 'done' : 'normal'} />
        <span className="subtle small" data-testid="job-summary">
          {percent(progress)} · {done.toLocaleString('en')} restored{failed ? ` · ${failed.toLocaleString('en')} failed` : ''}
          {item.state === 'running' && etaMs !== undefined && <span data-testid="job-eta"> · about {formatDuration(etaMs)} left</span>}
          {item.summary && ` · ${formatDuration(item.summary.ms)}`}
        </span>
      </div>
      {item.error && <ErrorNote error={item.error} />}
      {warnings.length > 0 && (
        <ul className="warnings">
          {warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
      <ul className="photo-list">
        {item.files.map((file) => (
          <PhotoRow key={file.path} file={file} live={live.get(liveKey(item.jobId, file.path))} paused={item.state === 'paused' || (queuePaused && item.state === 'queued')} onCompare={(f) => onCompare(item, f)} />
        ))}
      </ul>
      {unlisted && (
        <p className="subtle small" data-testid="queue-unlisted">
          {unlisted}
        </p>
      )}
    </article>
  );
}
