import { useEffect, useMemo, useState } from 'react';
import type { HistoryJob, QueueSnapshot } from '../../shared/contract.js';
import { CompareSlider } from '../components/CompareSlider.js';
import { compareCandidates, type CompareTarget } from '../compare-target.js';
import { useStudioContext } from '../hooks/use-api.js';

export function CompareView({ target, onTargetChange, snapshot }: { target: CompareTarget | null; onTargetChange: (target: CompareTarget) => void; snapshot: QueueSnapshot | null }) {
  const { api } = useStudioContext();
  const [history, setHistory] = useState<HistoryJob[]>([]);
  const [zoom, setZoom] = useState<'fit' | 'actual'>('fit');

  useEffect(() => {
    let active = true;
    void api.listHistory({ limit: 20, status: 'finished' }).then((result) => {
      if (active && result.ok) setHistory(result.value);
    });
    return () => {
      active = false;
    };
  }, [api]);

  const candidates = useMemo(() => compareCandidates(snapshot, history), [snapshot, history]);
  const current = target ?? candidates[0] ?? null;

  return (
    <div className="view compare-view">
      <header className="view-header">
        <div>
          <h1>Compare</h1>
          <p className="subtle">{current ? <span data-testid="compare-title">{current.name}</span> : 'Restore a photo, then compare it with the original here.'}</p>
        </div>
        {current && (
          <div className="segmented" role="group" aria-label="Zoom">
            <button type="button" className={zoom === 'fit' ? 'active' : ''} aria-pressed={zoom === 'fit'} onClick={() => setZoom('fit')} data-testid="zoom-fit">
              Fit
            </button>
            <button type="button" className={zoom === 'actual' ? 'active' : ''} aria-pressed={zoom === 'actual'} onClick={() => setZoom('actual')} data-testid="zoom-actual">
              100 %
            </button>
          </div>
        )}
      </header>
      {current ? (
        <CompareSlider images={{ beforeUrl: current.before.imageUrl, afterUrl: current.after.imageUrl, width: current.width, height: current.height }} zoom={zoom} />
      ) : (
        <div className="card empty-stage">
          <p className="subtle">No restored photos yet.</p>
        </div>
      )}
      {candidates.length > 1 && (
        <ul className="filmstrip" aria-label="Restored photos">
          {candidates.map((c) => (
            <li key={c.key}>
              <button type="button" className={`film${current?.key === c.key ? ' active' : ''}`} onClick={() => onTargetChange(c)} title={c.name}>
                <img src={c.after.thumbnailUrl} alt={c.name} loading="lazy" />
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
