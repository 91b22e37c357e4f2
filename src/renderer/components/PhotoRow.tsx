import type { QueueFile } from '../../shared/contract.js';
import type { ProgressEvent } from '../../shared/events.js';
import { formatDuration, percent } from '../format.js';
import { ErrorNote } from './ErrorNote.js';
import { Icon } from './Icon.js';
import { ProgressBar } from './ProgressBar.js';

export function stageLabel(file: Pick<QueueFile, 'status' | 'stage' | 'tile' | 'tiles'>, paused: boolean): string {
  switch (file.status) {
    case 'done':
      return 'Done';
    case 'failed':
      return 'Failed';
    case 'cancelled':
      return 'Cancelled';
    case 'skipped':
      return 'Skipped';
    case 'queued':
      return paused ? 'Paused' : 'Waiting';
    case 'running':
      switch (file.stage) {
        case 'decoding':
          return paused ? 'Paused · reading' : 'Reading';
        case 'repairing':
          return `${paused ? 'Paused · ' : ''}Repairing scratches and dust${file.tiles > 0 ? ` · ${file.tile} of ${file.tiles}` : ''}`;
        case 'fading':
          return 'Restoring faded colour';
        case 'inferring':
          return `${paused ? 'Paused · ' : ''}Restoring${file.tiles > 0 ? ` · tile ${file.tile} of ${file.tiles}` : ''}`;
        case 'faces':
          return 'Restoring faces';
        case 'encoding':
          return 'Saving';
        default:
          return 'Starting';
      }
  }
}

/** One photo of a queued job: thumbnail, stage and progress, then the result or the error. */
export function PhotoRow({ file, live, paused, onCompare }: { file: QueueFile; live: ProgressEvent | undefined; paused: boolean; onCompare: (file: QueueFile) => void }) {
  // Streamed progress is newer than the snapshot while the photo is still being worked on.
  const current = live && (file.status === 'queued' || file.status === 'running') ? { ...file, status: 'running' as const, stage: live.stage, value: live.value, tile: live.tile, tiles: live.tiles } : file;
  const tone = current.status === 'done' ? 'done' : current.status === 'failed' ? 'failed' : paused ? 'paused' : 'normal';
  return (
    <li className={`photo-row status-${current.status}`} data-testid="photo-row" data-status={current.status} data-stage={current.stage} data-name={file.name}>
      {current.status === 'failed' ? (
        // The photo may be unreadable or gone: no thumbnail to ask for.
        <div className="thumb thumb-failed" aria-hidden="true">
          <Icon name="alert" />
        </div>
      ) : (
        <img className="thumb" src={file.output?.thumbnailUrl ?? file.thumbnailUrl} alt="" loading="lazy" width={56} height={56} />
      )}
      <div className="photo-main">
        <div className="photo-line">
          <span className="photo-name" title={file.path}>
            {file.name}
          </span>
          <span className="photo-stage" data-testid="photo-stage">
            {stageLabel(current, paused)}
          </span>
        </div>
        {current.status !== 'failed' && (
          <div className="photo-progress">
            <ProgressBar value={current.status === 'done' ? 1 : current.value} label={`Progress of ${file.name}`} tone={tone} />
            <span className="photo-percent" data-testid="photo-percent">
              {percent(current.status === 'done' ? 1 : current.value)}
            </span>
          </div>
        )}
        {current.status === 'done' && file.output && (
          <div className="photo-result">
            <span className="subtle" title={file.output.path}>
              {file.output.name} · {file.output.width}×{file.output.height} · {formatDuration(file.ms)}
            </span>
            <button type="button" className="link-button" onClick={() => onCompare(file)} data-testid="compare-button">
              Compare
            </button>
          </div>
        )}
        {file.notes && file.notes.length > 0 && <p className="subtle small">{file.notes.join('; ')}</p>}
        {current.status === 'failed' && file.error && <ErrorNote error={file.error} compact />}
      </div>
    </li>
  );
}
