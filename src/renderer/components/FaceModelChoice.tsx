import { useEffect, useMemo, useState } from 'react';
import type { CatalogModelView, ModelDownloadView, ModelSummary } from '../../shared/contract.js';
import { useStudioContext } from '../hooks/use-api.js';
import { useModelDownloads } from '../hooks/use-model-downloads.js';
import { CatalogModelRow } from './CatalogModelRow.js';
import { ModelOptions } from './ChoiceOptions.js';

/**
 * "Restore faces" on the Restore screen: pick an installed face model, or, when none is
 * installed, download one right here (the Models screen's downloads, with progress). Once a
 * download installs, the installed list changes and the choice appears in place of the offer.
 */
export function FaceModelChoice({ models, value, onChange }: { models: readonly ModelSummary[]; value: string; onChange: (modelId: string) => void }) {
  const { api, notify } = useStudioContext();
  const faceModels = useMemo(() => models.filter((m) => m.task === 'face-restore'), [models]);
  const [offer, setOffer] = useState<{ catalog: CatalogModelView[]; downloads: ModelDownloadView[] } | null>(null);
  const downloads = useModelDownloads(api, notify, offer?.downloads);
  const none = faceModels.length === 0;

  useEffect(() => {
    if (!none) return;
    void api.getModelsOverview().then((result) => {
      if (!result.ok) return notify({ kind: 'error', message: result.error.message });
      setOffer({ catalog: result.value.catalog.filter((m) => m.task === 'face-restore'), downloads: result.value.downloads });
    });
  }, [api, notify, none]);

  if (!none) {
    return (
      <label className="face-model-choice">
        <span>Face model</span>
        <select value={faceModels.some((m) => m.id === value) ? value : ''} onChange={(e) => onChange(e.target.value)} data-testid="option-face-model">
          <option value="">Automatic (the best one installed)</option>
          <ModelOptions models={models} task="face-restore" />
        </select>
      </label>
    );
  }
  return (
    <div className="face-offer" data-testid="face-model-offer">
      <p className="small">Faces need a face model. Download one here (or import your own on the Models screen); until then the other steps still run.</p>
      {offer === null && <p className="subtle small">Reading the catalog…</p>}
      {offer?.catalog.length === 0 && <p className="subtle small">The model catalog offers no face model. Import one on the Models screen.</p>}
      {offer?.catalog.map((entry) => (
        <CatalogModelRow key={entry.id} entry={entry} installed={false} download={downloads.byId.get(entry.id)} onDownload={(trust) => void downloads.start(entry.id, trust ? { trustUnverified: true } : {})} onCancel={() => void downloads.cancel(entry.id)} />
      ))}
    </div>
  );
}
