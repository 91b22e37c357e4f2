import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { ModelsOverview, ModelSummary } from '../../shared/contract.js';
import { CatalogModelRow, ModelFacts } from '../components/CatalogModelRow.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { PathField } from '../components/PathField.js';
import { formatBytes } from '../format.js';
import { useStudioContext } from '../hooks/use-api.js';
import { useModelDownloads } from '../hooks/use-model-downloads.js';
import { sourceLabel, TASK_LABELS } from '../model-labels.js';

/**
 * The Models screen: installed models (the user's own can be removed), the catalog's
 * downloadable ones with live progress and Cancel, and Import (an .onnx file or an NCNN
 * pair). Everything goes through the host's model manager, the one `heirloom models` uses.
 */
export function ModelsView({ models }: { models: ModelSummary[] }) {
  const { api, notify } = useStudioContext();
  const [overview, setOverview] = useState<ModelsOverview | null>(null);
  const downloads = useModelDownloads(api, notify, overview?.downloads);

  const load = useCallback(async () => {
    const result = await api.getModelsOverview();
    if (result.ok) setOverview(result.value);
    else notify({ kind: 'error', message: result.error.message });
  }, [api, notify]);

  // Reloads when the installed models change (a download finished, an import, a removal).
  useEffect(() => {
    void load();
  }, [load, models]);

  const installedIds = new Set(models.map((m) => m.id));

  return (
    <div className="view models-view">
      <header className="view-header">
        <div>
          <h1>Models</h1>
          <p className="subtle">The networks Heirloom restores with: the ones installed, more to download, and your own to import. The command line's "heirloom models" sees the same list.</p>
        </div>
      </header>

      <section className="settings-section" aria-labelledby="installed-title">
        <h2 id="installed-title">Installed</h2>
        <div className="card model-list">
          {models.length === 0 && <p className="subtle">No models are installed.</p>}
          {models.map((model) => (
            <InstalledRow key={model.id} model={model} />
          ))}
        </div>
      </section>

      <section className="settings-section" aria-labelledby="catalog-title">
        <h2 id="catalog-title">Download</h2>
        <div className="card model-list">
          {overview === null && <p className="subtle">Reading the catalog…</p>}
          {overview?.catalogError && <ErrorNote error={overview.catalogError} />}
          {overview?.catalog.map((entry) => (
            <CatalogModelRow key={entry.id} entry={entry} installed={installedIds.has(entry.id)} download={downloads.byId.get(entry.id)} onDownload={(trust) => void downloads.start(entry.id, trust ? { trustUnverified: true } : {})} onCancel={() => void downloads.cancel(entry.id)} />
          ))}
        </div>
      </section>

      <section className="settings-section" aria-labelledby="import-title">
        <h2 id="import-title">Import</h2>
        <ImportCard />
      </section>
    </div>
  );
}

function InstalledRow({ model }: { model: ModelSummary }) {
  const { api, notify } = useStudioContext();
  const [confirming, setConfirming] = useState(false);
  const [removing, setRemoving] = useState(false);

  async function remove() {
    setRemoving(true);
    const result = await api.removeModel({ id: model.id });
    setRemoving(false);
    setConfirming(false);
    if (!result.ok) return notify({ kind: 'error', message: result.error.message });
    notify({ kind: 'info', message: `Removed ${model.name}.` });
  }

  return (
    <div className="model-row" data-testid="installed-model" data-model-id={model.id}>
      <div className="model-text">
        <h3>
          {model.name} <span className="chip">{sourceLabel(model.source)}</span>
        </h3>
        <ModelFacts task={model.task} scale={model.scale} size={formatBytes(model.sizeBytes)} licence={model.licence} />
        <p className="subtle small">
          <code>{model.id}</code>
        </p>
      </div>
      <div className="row-actions">
        {!model.removable ? (
          <span className="subtle small" data-testid="model-bundled-note">
            Shipped with Heirloom: cannot be removed
          </span>
        ) : confirming ? (
          <>
            <span className="small">Remove {model.name}?</span>
            <button type="button" className="button danger" disabled={removing} onClick={() => void remove()} data-testid="remove-confirm">
              {removing ? 'Removing…' : 'Remove'}
            </button>
            <button type="button" className="button ghost" onClick={() => setConfirming(false)} data-testid="remove-keep">
              Keep
            </button>
          </>
        ) : (
          <button type="button" className="button ghost" onClick={() => setConfirming(true)} data-testid="remove-model">
            Remove…
          </button>
        )}
      </div>
    </div>
  );
}

function ImportCard() {
  const { api, info, notify } = useStudioContext();
  const [path, setPath] = useState('');
  const [binPath, setBinPath] = useState('');
  const [name, setName] = useState('');
  const [importing, setImporting] = useState(false);
  const ncnn = path.trim().toLowerCase().endsWith('.param');
  const paths = ncnn ? [path.trim(), binPath.trim()] : [path.trim()];
  const ready = paths.every((p) => p.length > 0);

  async function choose() {
    const result = await api.openModelFilesDialog();
    if (!result.ok) return notify({ kind: 'error', message: result.error.message });
    const chosen = result.value.paths;
    if (chosen.length === 0) return; // cancelled: keep what was typed
    const param = chosen.find((p) => p.toLowerCase().endsWith('.param'));
    setPath(param ?? chosen[0] ?? '');
    setBinPath(chosen.find((p) => p.toLowerCase().endsWith('.bin')) ?? '');
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!ready) return;
    setImporting(true);
    const result = await api.importModel({ paths, ...(name.trim() ? { name: name.trim() } : {}) });
    setImporting(false);
    if (!result.ok) return notify({ kind: 'error', message: result.error.message });
    notify({ kind: 'info', message: `Imported ${result.value.name}: ${TASK_LABELS[result.value.task].label.toLowerCase()}, id ${result.value.id}.` });
    setPath('');
    setBinPath('');
    setName('');
  }

  return (
    <form className="card settings-grid import-card" onSubmit={(e) => void submit(e)} aria-label="Import a model">
      <p className="wide subtle small">An ONNX model (.onnx), or an NCNN model as Upscayl users have it (a .param and a .bin file), converted to ONNX the way "heirloom models import" does. What it does is read from the file itself.</p>
      <PathField label="Model file (.onnx, or the .param of an NCNN pair)" value={path} onChange={setPath} onBrowse={info.capabilities.dialogs ? () => void choose() : undefined} browseLabel="Choose…" placeholder="/home/you/Models/face.onnx" testId="import-path" />
      {ncnn && (
        <label className="wide">
          <span>Its .bin file</span>
          <input type="text" value={binPath} onChange={(e) => setBinPath(e.target.value)} placeholder="/home/you/Models/model.bin" spellCheck={false} data-testid="import-bin-path" />
        </label>
      )}
      <label className="span-2">
        <span>Name (optional)</span>
        <input type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="from the file name" data-testid="import-name" />
      </label>
      <div className="wide card-actions">
        <button type="submit" className="button primary" disabled={!ready || importing} data-testid="import-model">
          {importing ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}
