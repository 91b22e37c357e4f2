import { useEffect, useRef, useState, type Dispatch, type DragEvent, type FormEvent, type SetStateAction } from 'react';
import type { AppSettings } from '../../shared/settings.js';
import type { DeviceWithSettings } from '../../shared/devices.js';
import type { InspectedPath, ModelSummary, QueueFile, QueueItem } from '../../shared/contract.js';
import { NO_UPSCALE_MODEL } from '../../shared/job-settings.js';
import { FormatOptions, ModelOptions } from '../components/ChoiceOptions.js';
import { DevicePanel } from '../components/DevicePanel.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { FaceModelChoice } from '../components/FaceModelChoice.js';
import { Icon } from '../components/Icon.js';
import { PathField } from '../components/PathField.js';
import { RepairChoices, repairSettings, type RepairChoice } from '../components/RepairChoices.js';
import { QueueCard } from '../components/QueueCard.js';
import { useStudioContext } from '../hooks/use-api.js';
import type { QueueState } from '../hooks/use-queue.js';
import type { PhotoAdder } from '../hooks/use-photo-adder.js';

export interface RestoreOptions extends RepairChoice {
  modelId: string;
  scale: number | 'model';
  deviceId: string;
  tile: number | 'auto';
  batch: number | 'auto';
  format: AppSettings['format'];
  outDir: string;
  /** The face model picked on this screen; '' = the best one installed. */
  faceModelId: string;
}

const TILE_CHOICES: Array<number | 'auto'> = ['auto', 32, 64, 96, 128, 192, 256, 384, 512, 0];
const BATCH_CHOICES: Array<number | 'auto'> = ['auto', 1, 2, 4, 8, 16];

interface Props {
  queue: QueueState;
  draft: InspectedPath[];
  /** Functional updates: adds from the dialog, a drop and a typed path may finish in any order. */
  onDraftChange: Dispatch<SetStateAction<InspectedPath[]>>;
  options: RestoreOptions;
  onOptionsChange: (options: RestoreOptions) => void;
  models: ModelSummary[];
  devices: DeviceWithSettings[];
  onCompare: (item: QueueItem, file: QueueFile) => void;
  /** Adds photos to the draft (shared with the window-wide drop). */
  adder: PhotoAdder;
}

function orderForDisplay(items: QueueItem[]): QueueItem[] {
  const rank = (i: QueueItem) => (i.state === 'running' || i.state === 'paused' ? 0 : i.state === 'queued' ? 1 : 2);
  return [...items].sort((a, b) => rank(a) - rank(b) || (rank(a) === 2 ? (b.finishedAt ?? 0) - (a.finishedAt ?? 0) : a.createdAt - b.createdAt));
}

export function RestoreView({ queue, draft, onDraftChange, options, onOptionsChange, models, devices, onCompare, adder }: Props) {
  const { api, info, notify } = useStudioContext();
  const [typedPath, setTypedPath] = useState('');
  const [dragging, setDragging] = useState(false);
  const [starting, setStarting] = useState(false);
  // The farm set in Settings (shown without its password), and whether this job goes there.
  const [farmUrl, setFarmUrl] = useState<string | null>(null);
  const [toFarm, setToFarm] = useState(false);
  useEffect(() => {
    void api.getFarm({}).then((result) => setFarmUrl(result.ok ? result.value.url : null));
  }, [api]);
  const fileInput = useRef<HTMLInputElement>(null);
  const snapshot = queue.snapshot;
  const ready = draft.filter((d): d is Extract<InspectedPath, { ok: true }> => d.ok);
  // A folder added whole counts its photos.
  const readyPhotos = ready.reduce((n, d) => n + (d.kind === 'folder' ? d.photos : 1), 0);
  const model = models.find((m) => m.id === options.modelId);
  const deviceNames = new Map(devices.map((d) => [d.id, d.name]));

  const { adding, addPaths, addFiles } = adder;

  async function openDialog(mode: 'files' | 'folder') {
    const result = await api.openPhotosDialog({ mode });
    if (!result.ok) return notify({ kind: 'error', message: result.error.message });
    await addPaths(result.value.paths);
  }

  async function chooseOutput() {
    const result = await api.chooseFolderDialog({ title: 'Where should restored photos go?', defaultPath: options.outDir });
    if (result.ok && result.value.path) onOptionsChange({ ...options, outDir: result.value.path });
    else if (!result.ok) notify({ kind: 'error', message: result.error.message });
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    void addFiles([...event.dataTransfer.files]);
  }

  function onSubmitPath(event: FormEvent) {
    event.preventDefault();
    const path = typedPath.trim();
    if (!path) return;
    setTypedPath('');
    void addPaths([path]);
  }

  async function start() {
    if (ready.length === 0) return;
    setStarting(true);
    const result = await api.startJob({
      inputs: ready.map((d) => d.path),
      outDir: options.outDir,
      modelId: options.modelId,
      ...(options.scale === 'model' || options.modelId === NO_UPSCALE_MODEL ? {} : { scale: options.scale }),
      tile: options.tile,
      batch: options.batch,
      ...(options.deviceId ? { deviceId: options.deviceId } : {}),
      format: options.format,
      ...(toFarm && farmUrl ? { farm: true } : {}),
      ...repairSettings(options),
      // A picked face model is asked for by id; otherwise the best installed one, if any.
      ...(options.faces ? (options.faceModelId && models.some((m) => m.id === options.faceModelId) ? { faces: { modelId: options.faceModelId } } : { facesIfInstalled: true }) : {}),
    });
    setStarting(false);
    if (!result.ok) return notify({ kind: 'error', message: result.error.message });
    const started = new Set<InspectedPath>(ready);
    onDraftChange((current) => current.filter((d) => !started.has(d)));
  }

  async function togglePause() {
    const result = snapshot?.paused ? await api.resumeQueue() : await api.pauseQueue();
    if (!result.ok) notify({ kind: 'error', message: result.error.message });
  }

  async function cancel(item: QueueItem) {
    const result = await api.cancelJob({ queueId: item.id });
    if (!result.ok) notify({ kind: 'error', message: result.error.message });
  }

  const faceModelInstalled = models.some((m) => m.task === 'face-restore');
  const oldPhoto = options.scratches && options.fading && options.faces;
  const modelScale = model?.scale ?? 4;
  const startBlocked = draft.length === 0 ? 'Add a photo to restore first.' : ready.length === 0 ? 'None of the added photos can be read: remove them or add others.' : !options.outDir.trim() ? 'Choose an output folder first.' : null;
  const items = orderForDisplay(snapshot?.items ?? []);
  const anyFinished = items.some((i) => i.state === 'finished' || i.state === 'finished-with-errors' || i.state === 'cancelled' || i.state === 'failed' || i.state === 'interrupted');

  return (
    <div className="view restore-view">
      <header className="view-header">
        <div>
          <h1>Restore</h1>
          <p className="subtle">Add old photos, choose how to restore them, and start. Originals are never changed.</p>
        </div>
      </header>
      <div className="restore-layout">
        <div className="restore-main">
          <section
            className={`card add-card${dragging ? ' dragging' : ''}`}
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
            data-testid="drop-zone"
            aria-label="Photos to restore"
          >
            <div className="add-actions">
              {info.capabilities.dialogs ? (
                <>
                  <button type="button" className="button" onClick={() => void openDialog('files')}>
                    <Icon name="plus" /> Add photos…
                  </button>
                  <button type="button" className="button" onClick={() => void openDialog('folder')}>
                    <Icon name="folder" /> Add folder…
                  </button>
                </>
              ) : (
                <>
                  <button type="button" className="button" onClick={() => fileInput.current?.click()}>
                    <Icon name="plus" /> Choose photos…
                  </button>
                  <input
                    ref={fileInput}
                    type="file"
                    multiple
                    accept="image/*,.tif,.tiff,.heic"
                    hidden
                    data-testid="add-photos-input"
                    onChange={(e) => {
                      const files = [...(e.currentTarget.files ?? [])];
                      e.currentTarget.value = '';
                      void addFiles(files);
                    }}
                  />
                </>
              )}
              <form className="path-form" onSubmit={onSubmitPath}>
                <input type="text" value={typedPath} onChange={(e) => setTypedPath(e.target.value)} placeholder="…or type the full path of a photo or folder" aria-label="Photo or folder path" data-testid="path-input" />
                <button type="submit" className="button ghost" disabled={!typedPath.trim()} data-testid="add-path">
                  Add
                </button>
              </form>
            </div>
            {draft.length === 0 ? (
              <p className="drop-hint">{adding ? 'Adding…' : `Drop photos${info.capabilities.dialogs ? ' or folders' : ''} here`}</p>
            ) : (
              <ul className="draft-grid" aria-label="Ready to restore">
                {draft.map((entry) => (
                  <li key={entry.path || entry.name} className={`draft-item${entry.ok ? '' : ' invalid'}${entry.ok && entry.kind === 'folder' ? ' folder' : ''}`} data-testid="draft-item">
                    {!entry.ok ? (
                      <div className="draft-error-thumb">
                        <Icon name="alert" />
                      </div>
                    ) : entry.kind === 'folder' ? (
                      <div className="draft-folder-previews">
                        {entry.previews.map((p) => (
                          <img key={p.path} src={p.thumbnailUrl} alt="" loading="lazy" />
                        ))}
                      </div>
                    ) : (
                      <img src={entry.thumbnailUrl} alt="" loading="lazy" />
                    )}
                    <span className="draft-name" title={entry.path}>
                      {entry.ok && entry.kind === 'folder' && <Icon name="folder" size={14} />} {entry.name}
                    </span>
                    {entry.ok && entry.kind === 'folder' && (
                      <span className="subtle small" data-testid="draft-folder-count">
                        {entry.photos.toLocaleString('en')} photos, restored as they are found
                      </span>
                    )}
                    {!entry.ok && <ErrorNote error={entry.error} compact />}
                    <button type="button" className="icon-button remove" aria-label={`Remove ${entry.name}`} onClick={() => onDraftChange((current) => current.filter((d) => d !== entry))}>
                      <Icon name="close" size={14} />
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>

          <section className="card options-card" aria-label="Restore settings">
            <div className="repair-head">
              <h2>How to restore</h2>
              <label className="switch preset" title="Repair scratches and dust, restore faded colour, restore faces, and upscale">
                <input type="checkbox" checked={oldPhoto} onChange={(e) => onOptionsChange({ ...options, scratches: e.target.checked, fading: e.target.checked, faces: e.target.checked })} data-testid="preset-old-photo" />
                <span>Old photo (all of the below)</span>
              </label>
            </div>
            <RepairChoices value={options} onChange={(choice) => onOptionsChange({ ...options, ...choice })} faceModelInstalled={faceModelInstalled} idPrefix="repair" />
            {options.faces && <FaceModelChoice models={models} value={options.faceModelId} onChange={(faceModelId) => onOptionsChange({ ...options, faceModelId })} />}
            <div className="options-grid">
              <label className="model-choice">
                <span>Upscale with</span>
                <select value={options.modelId} onChange={(e) => onOptionsChange({ ...options, modelId: e.target.value, scale: 'model' })} data-testid="option-model">
                  <ModelOptions models={models} task="restore-upscale" />
                  <option value={NO_UPSCALE_MODEL}>No upscaling (keep the size)</option>
                </select>
              </label>
              {options.modelId !== NO_UPSCALE_MODEL && (
                <label>
                  <span>Scale</span>
                  <select
                    value={String(options.scale === 'model' ? modelScale : options.scale)}
                    onChange={(e) => onOptionsChange({ ...options, scale: Number(e.target.value) === modelScale ? 'model' : Number(e.target.value) })}
                    data-testid="option-scale"
                  >
                    {Array.from({ length: modelScale }, (_, i) => i + 1).map((s) => (
                      <option key={s} value={s}>
                        ×{s}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              <label>
                <span>Format</span>
                <select value={options.format} onChange={(e) => onOptionsChange({ ...options, format: e.target.value as AppSettings['format'] })} data-testid="option-format">
                  <FormatOptions />
                </select>
              </label>
              <PathField label="Output folder" value={options.outDir} onChange={(outDir) => onOptionsChange({ ...options, outDir })} onBrowse={info.capabilities.dialogs ? () => void chooseOutput() : undefined} testId="option-outdir" />
            </div>
            <details className="advanced" data-testid="advanced">
              <summary>Advanced: device, tile and batch</summary>
              <div className="options-grid">
                <label>
                  <span>Device</span>
                  <select value={options.deviceId} onChange={(e) => onOptionsChange({ ...options, deviceId: e.target.value })} data-testid="option-device">
                    <option value="">Automatic</option>
                    {devices.filter((d) => d.settings.enabled).map((d) => (
                      <option key={d.id} value={d.id}>
                        {d.name}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  <span>Tile</span>
                  <select value={String(options.tile)} onChange={(e) => onOptionsChange({ ...options, tile: e.target.value === 'auto' ? 'auto' : Number(e.target.value) })} data-testid="option-tile">
                    {TILE_CHOICES.map((t) => (
                      <option key={t} value={t}>
                        {t === 'auto' ? 'Automatic' : t === 0 ? 'Whole photo' : `${t} px`}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  <span>Batch</span>
                  <select value={String(options.batch)} onChange={(e) => onOptionsChange({ ...options, batch: e.target.value === 'auto' ? 'auto' : Number(e.target.value) })} data-testid="option-batch">
                    {BATCH_CHOICES.map((b) => (
                      <option key={b} value={b}>
                        {b === 'auto' ? 'Automatic' : b}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
            </details>
            <div className="options-actions">
              {farmUrl && (
                <label className="switch" title={`The farm at ${farmUrl}: its workers restore the photos, which must be on a folder every worker sees at the same path.`}>
                  <input type="checkbox" checked={toFarm} onChange={(e) => setToFarm(e.target.checked)} data-testid="send-to-farm" />
                  <span>Send to the farm</span>
                </label>
              )}
              {startBlocked && (
                <p className="subtle small" data-testid="start-reason">
                  {startBlocked}
                </p>
              )}
              <button type="button" className="button primary" disabled={startBlocked !== null || starting} onClick={() => void start()} data-testid="start-job">
                <Icon name="play" /> {starting ? 'Starting…' : readyPhotos === 0 ? 'Restore' : `Restore ${readyPhotos.toLocaleString('en')} photo${readyPhotos === 1 ? '' : 's'}`}
              </button>
            </div>
          </section>

          <section className="queue-section" aria-labelledby="queue-title">
            <header className="section-head">
              <h2 id="queue-title">Queue {snapshot?.paused && <span className="chip chip-paused" data-testid="queue-paused">Paused</span>}</h2>
              <div className="section-actions">
                <button type="button" className="button ghost" onClick={() => void togglePause()} data-testid={snapshot?.paused ? 'resume-queue' : 'pause-queue'}>
                  <Icon name={snapshot?.paused ? 'play' : 'pause'} size={16} /> {snapshot?.paused ? 'Resume' : 'Pause'}
                </button>
                {anyFinished && (
                  <button type="button" className="button ghost" onClick={() => void api.clearFinished()}>
                    Clear finished
                  </button>
                )}
              </div>
            </header>
            {items.length === 0 && <p className="subtle empty">Nothing queued. Jobs you start appear here with each photo's progress.</p>}
            {items.map((item) => (
              <QueueCard key={item.id} item={item} live={queue.live} queuePaused={snapshot?.paused ?? false} onCancel={(i) => void cancel(i)} onCompare={onCompare} />
            ))}
          </section>
        </div>
        <aside className="restore-side">
          <DevicePanel readings={queue.readings} names={deviceNames} />
        </aside>
      </div>
    </div>
  );
}
