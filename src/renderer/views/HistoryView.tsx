import { useCallback, useEffect, useState } from 'react';
import type { HistoryFile, HistoryJob, HistoryJobStatus } from '../../shared/contract.js';
import { targetFromHistory, type CompareTarget } from '../compare-target.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { Icon } from '../components/Icon.js';
import { formatDuration, formatWhen } from '../format.js';
import { useStudioContext } from '../hooks/use-api.js';

const FILTERS: Array<{ value: HistoryJobStatus | ''; label: string }> = [
  { value: '', label: 'All jobs' },
  { value: 'finished', label: 'Finished' },
  { value: 'finished-with-errors', label: 'Finished with errors' },
  { value: 'failed', label: 'Failed' },
  { value: 'queued', label: 'Queued' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'interrupted', label: 'Interrupted' },
  { value: 'running', label: 'Running' },
];

/** Photos History (and Compare's list) shows of each job at first; History adds as many per "Show more": a job of 100,000 photos is not read whole. */
export const HISTORY_PHOTOS_PAGE = 200;

/** Jobs History can continue (Resume): their finished photos are kept, the rest run. */
const RESUMABLE: ReadonlySet<HistoryJobStatus> = new Set(['interrupted', 'cancelled', 'finished-with-errors', 'failed']);

const STATUS_LABEL: Record<HistoryJobStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  finished: 'Finished',
  'finished-with-errors': 'Finished with errors',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

/** A job's settings in plain words, one line each (what Re-run will use). */
function settingsSummary(job: HistoryJob): string[] {
  const s = job.settings;
  const on = (key: string) => s[key] === true;
  return [
    // A job stopped while its folder was still being listed: what it reached, and more (Resume lists the rest).
    job.listing ? `${job.fileCount.toLocaleString('en')}+ photos${job.status === 'running' ? ' (still listing)' : ' (stopped while listing; Resume finds the rest)'}` : `${job.fileCount.toLocaleString('en')} photo${job.fileCount === 1 ? '' : 's'}`,
    `Repair scratches and dust: ${on('scratches') ? 'on' : 'off'}`,
    `Restore faded colour: ${on('fading') ? (typeof s['fadingStrength'] === 'number' ? `on, at a set strength of ${s['fadingStrength']} %` : 'on, as faded as each photo measures') : 'off'}`,
    `Restore faces: ${s['faces'] ? 'on' : on('facesIfInstalled') ? 'when a face model is installed' : 'off'}`,
    `Upscale: ${job.modelId === 'none' ? 'none (keep the size)' : `${job.modelId}${typeof s['scale'] === 'number' ? ` at ×${s['scale']}` : ''}`}`,
    `Format: ${typeof s['format'] === 'string' && s['format'] !== 'keep' ? String(s['format']).toUpperCase() : 'same as the original'}`,
    ...(typeof s['outDir'] === 'string' ? [`Output folder: ${s['outDir']}`] : []),
    ...(typeof s['maskFile'] === 'string' ? ['With the damage mask you corrected'] : []),
  ];
}

export function HistoryView({ onCompare, onRerun, refreshKey }: { onCompare: (target: CompareTarget) => void; onRerun: () => void; refreshKey: number }) {
  const { api, info, notify } = useStudioContext();
  const [filter, setFilter] = useState<HistoryJobStatus | ''>('');
  const [jobs, setJobs] = useState<HistoryJob[] | null>(null);
  /** Jobs whose next page of photos is being fetched. */
  const [loadingMore, setLoadingMore] = useState<ReadonlySet<string>>(new Set());
  /** The job whose Re-run is showing its settings, waiting for a confirmation. */
  const [confirming, setConfirming] = useState<string | null>(null);

  const load = useCallback(async () => {
    const result = await api.listHistory({ limit: 100, filesPerJob: HISTORY_PHOTOS_PAGE, ...(filter ? { status: filter } : {}) });
    if (result.ok) setJobs(result.value);
    else notify({ kind: 'error', message: result.error.message });
  }, [api, filter, notify]);

  useEffect(() => {
    void load();
  }, [load, refreshKey]);

  async function resume(job: HistoryJob) {
    const result = await api.continueJob({ jobId: job.id });
    if (!result.ok) return notify({ kind: 'error', message: result.error.message });
    notify({ kind: 'info', message: `Job back in the queue: ${result.value.files} photo${result.value.files === 1 ? '' : 's'} to restore; the others are kept.` });
    onRerun();
  }

  async function rerun(job: HistoryJob) {
    const result = await api.rerunJob({ jobId: job.id });
    if (!result.ok) return notify({ kind: 'error', message: result.error.message });
    notify({ kind: 'info', message: `Job queued again with the same settings (${result.value.files} photo${result.value.files === 1 ? '' : 's'}).` });
    onRerun();
  }

  /** The job's next page of photos, after those shown. */
  async function showMore(job: HistoryJob) {
    const from = (job.files.at(-1)?.position ?? -1) + 1;
    setLoadingMore((ids) => new Set(ids).add(job.id));
    const result = await api.listHistoryFiles({ jobId: job.id, from, limit: HISTORY_PHOTOS_PAGE }).finally(() => setLoadingMore((ids) => new Set([...ids].filter((id) => id !== job.id))));
    if (!result.ok) return notify({ kind: 'error', message: result.error.message });
    // Added only where the list still ends just before the page (not after a reload in between, nor twice).
    setJobs((current) => current?.map((j) => (j.id === job.id && (j.files.at(-1)?.position ?? -1) === from - 1 ? { ...j, files: [...j.files, ...result.value] } : j)) ?? null);
  }

  async function open(file: HistoryFile, action: 'open' | 'reveal') {
    if (!file.output) return;
    const result = await api.openPath({ path: file.output.path, action });
    if (!result.ok) notify({ kind: 'error', message: result.error.message });
  }

  return (
    <div className="view history-view">
      <header className="view-header">
        <div>
          <h1>History</h1>
          <p className="subtle">Every job, newest first, with its photos. The same history as “heirloom history”.</p>
        </div>
        <div className="header-actions">
          <label className="inline-label">
            <span>Show</span>
            <select value={filter} onChange={(e) => setFilter(e.target.value as HistoryJobStatus | '')} data-testid="history-filter">
              {FILTERS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="button ghost" onClick={() => void load()}>
            Refresh
          </button>
        </div>
      </header>
      {jobs === null && <p className="subtle">Loading…</p>}
      {jobs?.length === 0 && <p className="subtle empty" data-testid="history-empty">No jobs{filter ? ` with status “${STATUS_LABEL[filter]}”` : ''} yet.</p>}
      <div className="history-list">
        {jobs?.map((job, index) => (
          <details key={job.id} className="card history-job" open={index === 0} data-testid="history-job" data-job-id={job.id} data-status={job.status}>
            <summary>
              <div className="history-head">
                <span className="history-when">{formatWhen(job.createdAt)}</span>
                <span className={`chip chip-${job.status}`}>{STATUS_LABEL[job.status]}</span>
                {job.kind === 'watch' && (
                  <span className="chip" data-testid="watch-job">
                    Watch folder
                  </span>
                )}
                {job.kind === 'farm' && (
                  <span className="chip" data-testid="farm-job">
                    Farm
                  </span>
                )}
                <span className="subtle small">
                  {job.modelId} · {job.deviceId} · {job.succeeded} restored{job.failed ? ` · ${job.failed} failed` : ''}
                  {job.skipped ? ` · ${job.skipped} skipped` : ''} · {formatDuration(job.ms)}
                </span>
              </div>
              {/* A farm job resumes on the farm: what it has not finished is sent again. */}
              {(job.kind === 'restore' || job.kind === 'farm') && RESUMABLE.has(job.status) && (
                <button
                  type="button"
                  className="button ghost"
                  onClick={(e) => {
                    e.preventDefault();
                    void resume(job);
                  }}
                  data-testid="resume-job"
                >
                  <Icon name="rerun" size={16} /> Resume
                </button>
              )}
              <button
                type="button"
                className="button ghost"
                onClick={(e) => {
                  e.preventDefault();
                  setConfirming(job.id);
                }}
                data-testid="rerun-job"
              >
                <Icon name="rerun" size={16} /> Re-run
              </button>
            </summary>
            <p className="subtle small job-id">{job.id}</p>
            {confirming === job.id && (
              <div className="rerun-confirm" data-testid="rerun-confirm">
                <p>Re-run with these settings? New results go beside the earlier ones.</p>
                <ul className="settings-summary" data-testid="rerun-settings">
                  {settingsSummary(job).map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
                <div className="row-actions">
                  <button
                    type="button"
                    className="button primary"
                    onClick={() => {
                      setConfirming(null);
                      void rerun(job);
                    }}
                    data-testid="rerun-start"
                  >
                    Start re-run
                  </button>
                  <button type="button" className="button ghost" onClick={() => setConfirming(null)}>
                    Cancel
                  </button>
                </div>
              </div>
            )}
            <ul className="history-files">
              {job.files.map((file) => (
                <li key={file.position} className={`history-file status-${file.status}`} data-testid="history-file" data-status={file.status}>
                  {file.status === 'failed' ? (
                    <div className="thumb thumb-failed" aria-hidden="true">
                      <Icon name="alert" />
                    </div>
                  ) : (
                    <img className="thumb" src={(file.output ?? file.input).thumbnailUrl} alt="" loading="lazy" width={48} height={48} />
                  )}
                  <div className="photo-main">
                    <div className="photo-line">
                      <span className="photo-name" title={file.input.path}>
                        {file.input.name}
                      </span>
                      <span className="photo-stage">{file.status}</span>
                    </div>
                    {file.output && (
                      <p className="subtle small" title={file.output.path}>
                        → {file.output.path}
                        {file.width ? ` · ${file.width}×${file.height}` : ''} · {formatDuration(file.ms)}
                      </p>
                    )}
                    {file.ranOn && (
                      <p className="subtle small" data-testid="history-ran-on">
                        on {file.ranOn}
                      </p>
                    )}
                    {file.errorCode && file.status === 'failed' && <ErrorNote error={{ code: file.errorCode, message: file.errorMessage ?? '' }} compact />}
                  </div>
                  {file.output && file.status === 'done' && (
                    <div className="row-actions">
                      {file.width && file.height && (
                        <button type="button" className="link-button" onClick={() => { const target = targetFromHistory(job, file); if (target) onCompare(target); }}>
                          Compare
                        </button>
                      )}
                      {!info.capabilities.shell && (
                        <a className="link-button" href={file.output.imageUrl} download={file.output.name} data-testid="download-output">
                          Download
                        </a>
                      )}
                      {info.capabilities.shell && (
                        <>
                          <button type="button" className="link-button" onClick={() => void open(file, 'open')}>
                            <Icon name="open" size={14} /> Open
                          </button>
                          <button type="button" className="link-button" onClick={() => void open(file, 'reveal')}>
                            <Icon name="folder" size={14} /> Show in folder
                          </button>
                        </>
                      )}
                    </div>
                  )}
                </li>
              ))}
            </ul>
            {job.fileCount > job.files.length && (
              <div className="history-more">
                <span className="subtle small" data-testid="history-shown">
                  Showing {job.files.length.toLocaleString('en')} of {job.fileCount.toLocaleString('en')} photos
                </span>
                <button type="button" className="button ghost" onClick={() => void showMore(job)} disabled={loadingMore.has(job.id)} data-testid="history-more">
                  Show {Math.min(HISTORY_PHOTOS_PAGE, job.fileCount - job.files.length).toLocaleString('en')} more
                </button>
              </div>
            )}
          </details>
        ))}
      </div>
    </div>
  );
}
