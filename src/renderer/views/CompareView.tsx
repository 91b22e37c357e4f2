import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { HistoryJob, QueueSnapshot } from '../../shared/contract.js';
import { CompareSlider, type CompareMode } from '../components/CompareSlider.js';
import { MaskEditor, type BrushTool, type MaskEditorHandle } from '../components/MaskEditor.js';
import { compareCandidates, type CompareTarget } from '../compare-target.js';
import { stageName } from '../format.js';
import { useStudioContext } from '../hooks/use-api.js';
import { HISTORY_PHOTOS_PAGE } from './HistoryView.js';

export function CompareView({ target, onTargetChange, snapshot }: { target: CompareTarget | null; onTargetChange: (target: CompareTarget) => void; snapshot: QueueSnapshot | null }) {
  const { api, notify } = useStudioContext();
  const [jobs, setJobs] = useState<HistoryJob[]>([]);
  const [mode, setMode] = useState<CompareMode>('slider');
  const [maskVisible, setMaskVisible] = useState(true);
  const [maskOpacity, setMaskOpacity] = useState(0.6);
  const [editing, setEditing] = useState(false);
  const [tool, setTool] = useState<BrushTool>('add');
  const [brushSize, setBrushSize] = useState(8);
  const [history, setEditHistory] = useState({ undo: 0, redo: 0 });
  const [repairing, setRepairing] = useState(false);
  const editor = useRef<MaskEditorHandle>(null);
  const onHistoryChange = useCallback((undo: number, redo: number) => setEditHistory({ undo, redo }), []);

  // Every job with a restored photo (a job with one failed photo still restored the others).
  const finishedJobs = useMemo(() => snapshot?.items.filter((i) => i.state === 'finished' || i.state === 'finished-with-errors').length ?? 0, [snapshot]);
  useEffect(() => {
    let active = true;
    void api.listHistory({ limit: 50, filesPerJob: HISTORY_PHOTOS_PAGE }).then((result) => {
      if (active && result.ok) setJobs(result.value);
    });
    return () => {
      active = false;
    };
  }, [api, finishedJobs]);

  const candidates = useMemo(() => compareCandidates(snapshot, jobs), [snapshot, jobs]);
  const current = target ?? candidates[0] ?? null;
  const editable = Boolean(current?.mask && current.caption.jobId);

  // Leaving the photo ends the edit.
  useEffect(() => setEditing(false), [current?.key]);

  // Keyboard: B brush, E eraser, [ and ] size, Ctrl+Z undo, Ctrl+Shift+Z or Ctrl+Y redo.
  useEffect(() => {
    if (!editing) return;
    const onKey = (event: KeyboardEvent) => {
      if ((event.target as HTMLElement | null)?.closest('input, select, textarea')) return;
      const mod = event.ctrlKey || event.metaKey;
      if (mod && event.key.toLowerCase() === 'z') editor.current?.[event.shiftKey ? 'redo' : 'undo']();
      else if (mod && event.key.toLowerCase() === 'y') editor.current?.redo();
      else if (mod) return;
      else if (event.key === 'b') setTool('add');
      else if (event.key === 'e') setTool('erase');
      else if (event.key === '[') setBrushSize((s) => Math.max(1, s - 2));
      else if (event.key === ']') setBrushSize((s) => Math.min(200, s + 2));
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [editing]);

  async function repairAgain() {
    if (!current?.caption.jobId || !editor.current) return;
    setRepairing(true);
    const result = await api.repairAgain({ jobId: current.caption.jobId, input: current.before.path, maskPng: editor.current.exportPng() });
    setRepairing(false);
    if (!result.ok) return notify({ kind: 'error', message: result.error.message });
    setEditing(false);
    notify({ kind: 'info', message: `Repairing ${current.name} again with your mask. The new result is saved beside the earlier one.` });
  }

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
                {current.caption.stages.map(stageName).join(', ') || 'no stages'}
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
            {editable && (
              <button type="button" className={`button${editing ? ' primary' : ' ghost'}`} aria-pressed={editing} onClick={() => setEditing((e) => !e)} data-testid="edit-mask">
                {editing ? 'Done editing' : 'Correct the repair…'}
              </button>
            )}
            {current.mask && !editing && (
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
      {current && editing && current.mask && (
        <div className="card brush-bar" role="toolbar" aria-label="Mask brush" data-testid="brush-bar">
          <div className="segmented" role="group" aria-label="Brush">
            <button type="button" className={tool === 'add' ? 'active' : ''} aria-pressed={tool === 'add'} onClick={() => setTool('add')} title="Mark damage (B)" data-testid="tool-add">
              Mark damage
            </button>
            <button type="button" className={tool === 'erase' ? 'active' : ''} aria-pressed={tool === 'erase'} onClick={() => setTool('erase')} title="Erase marks (E)" data-testid="tool-erase">
              Erase marks
            </button>
          </div>
          <label className="brush-size">
            <span>Size</span>
            <input type="range" min={1} max={60} value={brushSize} onChange={(e) => setBrushSize(Number(e.target.value))} aria-label="Brush size in photo pixels" title="[ and ] change the size" data-testid="brush-size" />
            <span data-testid="brush-size-value">{brushSize} px</span>
          </label>
          <button type="button" className="button ghost" onClick={() => editor.current?.undo()} disabled={history.undo === 0} title="Undo (Ctrl+Z)" data-testid="mask-undo" data-count={history.undo}>
            Undo
          </button>
          <button type="button" className="button ghost" onClick={() => editor.current?.redo()} disabled={history.redo === 0} title="Redo (Ctrl+Shift+Z)" data-testid="mask-redo" data-count={history.redo}>
            Redo
          </button>
          <p className="subtle small">Paint over damage the repair missed, erase marks on things that are not damage, then repair again. Drag with the brush to paint; the wheel still zooms.</p>
          <button type="button" className="button primary" onClick={() => void repairAgain()} disabled={repairing} data-testid="repair-again">
            {repairing ? 'Starting…' : 'Repair again'}
          </button>
        </div>
      )}
      {current ? (
        <CompareSlider
          editor={editing && current.mask ? <MaskEditor ref={editor} maskUrl={current.mask.imageUrl} tool={tool} size={brushSize} opacity={maskOpacity} onHistoryChange={onHistoryChange} /> : undefined}
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
