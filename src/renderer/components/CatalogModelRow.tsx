import { useState } from 'react';
import type { CatalogModelView, ModelDownloadView, ModelSummary } from '../../shared/contract.js';
import { formatBytes } from '../format.js';
import { TASK_LABELS } from '../model-labels.js';
import { DownloadProgress } from './DownloadProgress.js';
import { ErrorNote } from './ErrorNote.js';
import { Icon } from './Icon.js';

/** What a model does, its scale, size and licence, on one line. */
export function ModelFacts({ task, scale, size, licence }: { task: ModelSummary['task']; scale: number; size: string; licence: string }) {
  return (
    <p className="subtle small model-facts">
      <span title={TASK_LABELS[task].explanation} data-testid="model-task">
        {TASK_LABELS[task].label}
      </span>
      {task === 'restore-upscale' && <span>×{scale}</span>}
      <span data-testid="model-size">{size}</span>
      <span title={licence}>Licence: {licence}</span>
    </p>
  );
}

/** A downloadable model of the catalog: Download (asking first when no checksum is published), live progress and Cancel, or Installed. */
export function CatalogModelRow({ entry, installed, download, onDownload, onCancel }: { entry: CatalogModelView; installed: boolean; download: ModelDownloadView | undefined; onDownload: (trustUnverified: boolean) => void; onCancel: () => void }) {
  const [askTrust, setAskTrust] = useState(false);
  const downloading = download?.state === 'downloading';
  return (
    <div className="model-row" data-testid="catalog-model" data-model-id={entry.id} data-installed={installed ? 'yes' : 'no'}>
      <div className="model-text">
        <h3>
          {entry.name} {installed && <span className="chip chip-finished">Installed</span>}
        </h3>
        <ModelFacts task={entry.task} scale={entry.scale} size={entry.sizeBytes === null ? 'size not published' : formatBytes(entry.sizeBytes)} licence={entry.licence} />
        {downloading && <DownloadProgress download={download} onCancel={onCancel} />}
        {download?.state === 'failed' && download.error && <ErrorNote error={download.error} compact />}
        {download?.state === 'cancelled' && !installed && (
          <p className="subtle small" data-testid="download-cancelled">
            Cancelled: nothing was installed. Downloading again continues where it stopped.
          </p>
        )}
        {askTrust && (
          <p className="small warn-text">
            No checksum is published for this file, so Heirloom cannot check that it is the right one.{' '}
            <button type="button" className="link-button" onClick={() => (setAskTrust(false), onDownload(true))} data-testid="download-trust">
              Download it anyway
            </button>
          </p>
        )}
      </div>
      <div className="row-actions">
        {!installed && !downloading && (
          <button type="button" className="button" onClick={() => (entry.unverified ? setAskTrust(true) : onDownload(false))} data-testid="download-model">
            <Icon name="plus" size={16} /> {download?.state === 'failed' || download?.state === 'cancelled' ? 'Try again' : 'Download'}
          </button>
        )}
      </div>
    </div>
  );
}
