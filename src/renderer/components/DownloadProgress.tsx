import type { ModelDownloadView } from '../../shared/contract.js';
import { formatBytes } from '../format.js';
import { ProgressBar } from './ProgressBar.js';

/** A model download as it goes: a bar, bytes of total, percent and speed, and Cancel. */
export function DownloadProgress({ download, onCancel }: { download: ModelDownloadView; onCancel: () => void }) {
  const fraction = download.totalBytes ? download.receivedBytes / download.totalBytes : 0;
  const parts = [
    download.totalBytes ? `${formatBytes(download.receivedBytes)} of ${formatBytes(download.totalBytes)}` : `${formatBytes(download.receivedBytes)} so far`,
    ...(download.totalBytes ? [`${Math.floor(fraction * 100)} %`] : []),
    ...(download.bytesPerSecond > 0 ? [`${formatBytes(download.bytesPerSecond)}/s`] : []),
    ...(download.resumedFrom > 0 ? [`resumed at ${formatBytes(download.resumedFrom)}`] : []),
  ];
  return (
    <div className="download-progress" data-testid="download-progress" data-model-id={download.id}>
      <ProgressBar value={fraction} label={`Downloading ${download.name}`} />
      <span className="subtle small" data-testid="download-figures">
        {parts.join(' · ')}
      </span>
      <button type="button" className="button ghost small-button" onClick={onCancel} data-testid="download-cancel">
        Cancel
      </button>
    </div>
  );
}
