import { useEffect, useState, type FormEvent } from 'react';
import type { ModelSummary, WatchActivity, WatchFolderView } from '../../shared/contract.js';
import type { FormatChoiceName } from '../../shared/settings.js';
import { FormatOptions, ModelOptions } from '../components/ChoiceOptions.js';
import { Icon } from '../components/Icon.js';
import { NO_REPAIR, RepairChoices, repairSettings } from '../components/RepairChoices.js';
import { NO_UPSCALE_MODEL, requestedStages } from '../../shared/job-settings.js';
import { presetJobSettings } from '../../shared/watch.js';
import { formatWhen, stageName } from '../format.js';
import { useStudioContext } from '../hooks/use-api.js';

const STATE_LABEL: Record<WatchFolderView['state'], string> = { watching: 'Watching', paused: 'Paused', missing: 'Folder missing', error: 'Error' };

export function WatchView({ models, defaultFormat }: { models: ModelSummary[]; /** The app's default output format (Settings → App). */ defaultFormat: FormatChoiceName }) {
  const { api, info, notify } = useStudioContext();
  const [folders, setFolders] = useState<WatchFolderView[] | null>(null);
  const [events, setEvents] = useState<WatchActivity[]>([]);
  const [form, setForm] = useState({ path: '', outDir: '', modelId: '', scale: 0, format: defaultFormat, ...NO_REPAIR });

  // The model the form shows: the one picked, else the default upscaler, else (none installed) no upscaling.
  const modelId = form.modelId || models.find((m) => m.task === 'restore-upscale')?.id || NO_UPSCALE_MODEL;
  const watchModelScale = models.find((m) => m.id === modelId)?.scale ?? 4;
  const faceModelInstalled = models.some((m) => m.task === 'face-restore');

  useEffect(() => {
    if (!info.capabilities.watch) return;
    let active = true;
    void api.listWatchFolders().then((result) => {
      if (!active) return;
      if (result.ok) setFolders(result.value);
      else notify({ kind: 'error', message: result.error.message });
    });
    const off = api.onWatchEvent((activity) => {
      setEvents((previous) => [activity, ...previous].slice(0, 50));
      // A folder's state may have changed with it (watching, missing, error): read the list again.
      void api.listWatchFolders().then((result) => {
        if (active && result.ok) setFolders(result.value);
      });
    });
    return () => {
      active = false;
      off();
    };
  }, [api, info.capabilities.watch, notify]);

  async function apply(call: Promise<{ ok: true; value: WatchFolderView[] } | { ok: false; error: { message: string } }>) {
    const result = await call;
    if (result.ok) setFolders(result.value);
    else notify({ kind: 'error', message: result.error.message });
    return result.ok;
  }

  async function add(event: FormEvent) {
    event.preventDefault();
    const preset = {
      modelId,
      format: form.format,
      ...(form.scale > 0 && modelId !== NO_UPSCALE_MODEL ? { scale: form.scale } : {}),
      ...repairSettings(form),
      faces: false,
      // Faces with the best model installed; without one, a warning and the rest still runs.
      ...(form.faces ? { facesIfInstalled: true } : {}),
    };
    // The switches may have changed while the folder was added: only the paths are cleared.
    if (await apply(api.addWatchFolder({ path: form.path.trim(), outDir: form.outDir.trim(), preset }))) setForm((current) => ({ ...current, path: '', outDir: '' }));
  }

  if (!info.capabilities.watch) {
    return (
      <div className="view watch-view">
        <header className="view-header">
          <div>
            <h1>Watch folders</h1>
            <p className="subtle">Restore every new photo that appears in a folder.</p>
          </div>
        </header>
        <div className="card" data-testid="watch-unavailable">
          <p>Watch folders are not available in this build of Heirloom yet.</p>
          <p className="subtle small">When they are, the folders you watch, their state and their last events appear here.</p>
        </div>
      </div>
    );
  }

  // Live events and each folder's recent list overlap: show each once, newest first.
  const seen = new Set<string>();
  const recent = [...events, ...(folders ?? []).flatMap((f) => f.recent)]
    .filter((e) => {
      const key = `${e.folderId}|${e.at}|${e.kind}|${e.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => b.at - a.at)
    .slice(0, 30);
  return (
    <div className="view watch-view">
      <header className="view-header">
        <div>
          <h1>Watch folders</h1>
          <p className="subtle">Every new photo that appears in a watched folder is restored into its output folder.</p>
        </div>
      </header>
      <form className="card watch-form" onSubmit={(e) => void add(e)}>
        <div className="settings-grid">
          <label className="wide">
            <span>Folder to watch</span>
            <input value={form.path} onChange={(e) => setForm({ ...form, path: e.target.value })} placeholder="/home/you/Scans" spellCheck={false} data-testid="watch-path" />
          </label>
          <label className="wide">
            <span>Output folder</span>
            <input value={form.outDir} onChange={(e) => setForm({ ...form, outDir: e.target.value })} placeholder="/home/you/Scans/Restored" spellCheck={false} data-testid="watch-out" />
          </label>
          <label className="model-choice">
            <span>Upscale with</span>
            <select value={modelId} onChange={(e) => setForm({ ...form, modelId: e.target.value, scale: 0 })} data-testid="watch-model">
              <ModelOptions models={models} task="restore-upscale" />
              <option value={NO_UPSCALE_MODEL}>No upscaling (keep the size)</option>
            </select>
          </label>
          {modelId !== NO_UPSCALE_MODEL && (
            <label>
              <span>Scale</span>
              <select value={form.scale} onChange={(e) => setForm({ ...form, scale: Number(e.target.value) })} data-testid="watch-scale">
                {Array.from({ length: watchModelScale }, (_, i) => i + 1).map((s) => (
                  <option key={s} value={s === watchModelScale ? 0 : s}>
                    ×{s}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            <span>Format</span>
            <select value={form.format} data-testid="watch-format" onChange={(e) => setForm({ ...form, format: e.target.value as FormatChoiceName })}>
              <FormatOptions />
            </select>
          </label>
        </div>
        <fieldset className="watch-repair">
          <legend>Repair</legend>
          <RepairChoices value={form} onChange={(choice) => setForm({ ...form, ...choice })} faceModelInstalled={faceModelInstalled} idPrefix="watch-repair" />
        </fieldset>
        <footer className="card-actions">
          <button type="submit" className="button primary" disabled={!form.path.trim() || !form.outDir.trim()} data-testid="watch-add">
            <Icon name="plus" /> Watch this folder
          </button>
        </footer>
      </form>
      <section className="settings-section">
        <h2>Watched</h2>
        {folders?.length === 0 && <p className="subtle">No folders are watched.</p>}
        <ul className="watch-list">
          {folders?.map((folder) => (
            <li key={folder.id} className="card watch-folder" data-testid="watch-folder" data-state={folder.state}>
              <div>
                <p className="photo-name">{folder.path}</p>
                <p className="subtle small">
                  → {folder.outDir} · <span data-testid="watch-stages">{presetSummary(folder.preset)}</span>
                  <span className={`chip chip-${folder.state}`} data-testid="watch-state">
                    {STATE_LABEL[folder.state]}
                  </span>
                </p>
                {folder.message && <p className={`small ${folder.state === 'error' || folder.state === 'missing' ? 'field-error' : 'subtle'}`}>{folder.message}</p>}
              </div>
              <div className="row-actions">
                {folder.paused ? (
                  <button type="button" className="button ghost" onClick={() => void apply(api.resumeWatchFolder({ id: folder.id }))} data-testid="watch-resume">
                    <Icon name="play" size={16} /> Resume
                  </button>
                ) : (
                  <button type="button" className="button ghost" onClick={() => void apply(api.pauseWatchFolder({ id: folder.id }))} data-testid="watch-pause">
                    <Icon name="pause" size={16} /> Pause
                  </button>
                )}
                <button type="button" className="button ghost danger" onClick={() => void apply(api.removeWatchFolder({ id: folder.id }))} data-testid="watch-remove">
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ul>
      </section>
      <section className="settings-section">
        <h2>Last events</h2>
        {recent.length === 0 && <p className="subtle">Nothing has happened yet.</p>}
        <ul className="event-list" data-testid="watch-events">
          {recent.map((e, i) => (
            <li key={`${e.at}-${i}`} data-kind={e.kind}>
              <span className="subtle small">{formatWhen(e.at)}</span> <span className="chip">{e.kind}</span> {e.message}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

/** What a folder's preset does, in the order its stages run: "scratch repair, faded colour, upscale ×2 with realesr-general-x4v3". */
function presetSummary(preset: WatchFolderView['preset']): string {
  const stages = requestedStages(presetJobSettings(preset)).map((stage) => {
    if (stage === 'upscale') return `upscale${preset.scale ? ` ×${preset.scale}` : ''} with ${preset.modelId}`;
    if (stage === 'faces' && !preset.faces) return 'faces (when a face model is installed)';
    return stageName(stage);
  });
  return [...stages, ...(preset.modelId === NO_UPSCALE_MODEL ? ['no upscaling (keeps the size)'] : [])].join(', ');
}
