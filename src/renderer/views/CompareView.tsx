import { useEffect, useMemo, useState } from 'react';
import type { HistoryJob, QueueSnapshot } from '../../shared/contract.js';
import { CompareSlider, type CompareMode } from '../components/CompareSlider.js';
import { compareCandidates, type CompareTarget } from '../compare-target.js';
import { useStudioContext } from '../hooks/use-api.js';

const STAGE_NAMES: Record<string, string> = { repair: 'scratch repair', fading: 'faded colour', upscale: 'upscale', faces: 'faces' };

export function CompareView({ target, onTargetChange, snapshot }: { target: CompareTarget | null; onTargetChange: (target: CompareTarget) => void; snapshot: QueueSnapshot | null }) {
  const { api } = useStudioContext();
  const [history, setHistory] = useState<HistoryJob[]>([]);
  const [mode, setMode] = useState<CompareMode>('slider');
  const [maskVisible, setMaskVisible] = useState(true);
  const [maskOpacity, setMaskOpacity] = useState(0.6);

  // Every job with a restored photo (a job with one failed photo still restored the others).
  const finishedJobs = useMemo(() => snapshot?.items.filter((i) => i.state === 'finished' || i.state === 'finished-with-errors').length ?? 0, [snapshot]);
  useEffect(() => {
    let active = true;
    void api.listHistory({ limit: 50 }).then((result) => {
      if (active && result.ok) setHistory(result.value);
    });
    return () => {
      active = false;
    };
  }, [api, finishedJobs]);

  const candidates = useMemo(() => compareCandidates(snapshot, history), [snapshot, history]);
  const current = target ?? candidates[0] ?? null;

  return (
    <div className="view compare-view">
      <header className="view-header">
        <div>
          <h1>Compare</h1>
          {current ? (
            <p className="subtle">
              <span data-testid="compare-title">{current.name}</span>
              <span className="compare-caption" data-testid="compare-caption">
                {' · '}
                {current.caption.stages.map((s) => STAGE_NAMES[s] ?? s).join(', ') || 'no stages'}
                {current.caption.model && current.caption.stages.includes('upscale') ? ` with ${current.caption.model}` : ''}
                {current.caption.jobId ? ` · job ${current.caption.jobId}` : ''}
              </span>
            </p>
          ) : (
            <p className="subtle">Restore a photo, then compare it with the original here.</p>
          )}
        </div>
        {current && (
          <div className="compare-controls">
            {current.mask && (
              <div className="mask-controls" role="group" aria-label="Repair mask">
                <label className="switch">
                  <input type="checkbox" checked={maskVisible} onChange={(e) => setMaskVisible(e.target.checked)} data-testid="mask-toggle" />
                  <span>Show what was repaired</span>
                </label>
                <input type="range" min={0.1} max={1} step={0.05} value={maskOpacity} onChange={(e) => setMaskOpacity(Number(e.target.value))} disabled={!maskVisible} aria-label="Mask opacity" data-testid="mask-opacity" />
              </div>
            )}
            <div className="segmented" role="group" aria-label="Layout">
              <button type="button" className={mode === 'slider' ? 'active' : ''} aria-pressed={mode === 'slider'} onClick={() => setMode('slider')} data-testid="mode-slider">
                Slider
              </button>
              <button type="button" className={mode === 'side-by-side' ? 'active' : ''} aria-pressed={mode === 'side-by-side'} onClick={() => setMode('side-by-side')} data-testid="mode-side">
                Side by side
              </button>
            </div>
          </div>
        )}
      </header>
      {current ? (
        <CompareSlider
          images={{ beforeUrl: current.before.imageUrl, afterUrl: current.after.imageUrl, ...(current.mask ? { maskUrl: current.mask.imageUrl } : {}), width: current.width, height: current.height }}
          mode={mode}
          mask={{ visible: maskVisible, opacity: maskOpacity }}
        />
      ) : (
        <div className="card empty-stage">
          <p className="subtle" data-testid="compare-empty">
            No restored photos yet.
          </p>
        </div>
      )}
      {candidates.length > 1 && (
        <ul className="filmstrip" aria-label="Restored photos">
          {candidates.map((c) => (
            <li key={c.key}>
              <button type="button" className={`film${current?.key === c.key ? ' active' : ''}`} onClick={() => onTargetChange(c)} title={`${c.after.name}${c.caption.jobId ? ` (job ${c.caption.jobId})` : ''}`} data-testid="film">
                <img src={c.after.thumbnailUrl} alt={c.after.name} loading="lazy" />
                <span className="film-name">{c.after.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
