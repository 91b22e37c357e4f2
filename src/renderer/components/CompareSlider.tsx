import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type MouseEvent, type PointerEvent, type ReactNode, type WheelEvent } from 'react';
import { clampZoom, MAX_ZOOM, nextZoomStep, zoomAround } from '../compare-zoom.js';

export interface CompareImages {
  beforeUrl: string;
  afterUrl: string;
  /** The repair's damage mask (white = repaired), drawn over the after image when shown. */
  maskUrl?: string;
  /** The restored image's size: every layer is drawn at it, so they line up pixel for pixel. */
  width: number;
  height: number;
}

export type CompareMode = 'slider' | 'side-by-side';

export interface MaskOverlay {
  visible: boolean;
  /** 0..1 */
  opacity: number;
}

/** 'fit', or image pixels per CSS pixel (1 = 100 %). */
export type Zoom = 'fit' | number;

const GAP = 8;

/**
 * Before/after comparison. Every layer sits in one transformed canvas per pane (so zoom and
 * pan move before and after together); in slider mode the "after" layer is clipped at a
 * divider that stays put on screen while the photo pans under it, side by side shows two
 * panes with the same zoom and pan. Zoom runs from fit to 800 %: the wheel zooms at the
 * pointer, +/- step, double-click toggles 100 % and fit, dragging pans.
 */
export function CompareSlider({ images, mode, mask, editor }: { images: CompareImages; mode: CompareMode; mask: MaskOverlay; /** The mask editor, drawn over the after image in place of the overlay. */ editor?: ReactNode }) {
  const stage = useRef<HTMLDivElement>(null);
  const [stageSize, setStageSize] = useState({ width: 0, height: 0 });
  const [position, setPosition] = useState(0.5);
  const [zoom, setZoom] = useState<Zoom>('fit');
  const [pan, setPan] = useState({ x: 0, y: 0 });
  const dragging = useRef<'divider' | { x: number; y: number; panX: number; panY: number } | null>(null);

  useLayoutEffect(() => {
    const element = stage.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setStageSize({ width: element.clientWidth, height: element.clientHeight }));
    observer.observe(element);
    setStageSize({ width: element.clientWidth, height: element.clientHeight });
    return () => observer.disconnect();
  }, []);

  const pane = mode === 'side-by-side' ? { width: Math.max(0, (stageSize.width - GAP) / 2), height: stageSize.height } : stageSize;
  const fitScale = pane.width > 0 ? Math.min(pane.width / images.width, pane.height / images.height) : 1;
  const scale = zoom === 'fit' ? fitScale : zoom;
  const canvas = { width: images.width * scale, height: images.height * scale };

  const clampPan = useCallback(
    (x: number, y: number) => {
      // Smaller than the pane: centred. Larger: it may move until its edge meets the pane's.
      const cx = canvas.width <= pane.width ? (pane.width - canvas.width) / 2 : Math.min(0, Math.max(pane.width - canvas.width, x));
      const cy = canvas.height <= pane.height ? (pane.height - canvas.height) / 2 : Math.min(0, Math.max(pane.height - canvas.height, y));
      return { x: cx, y: cy };
    },
    [canvas.width, canvas.height, pane.width, pane.height],
  );

  // A new image or mode: back to fit, centred.
  useEffect(() => {
    setZoom('fit');
  }, [images.afterUrl, mode]);
  // The pane changed size: keep the pan inside it.
  useEffect(() => {
    setPan((p) => clampPan(p.x, p.y));
  }, [clampPan]);

  /** Zooms to `next`, keeping the image point under (px, py) (pane coordinates) where it is. */
  const zoomTo = (next: Zoom, anchor?: { x: number; y: number }) => {
    const target = next === 'fit' ? fitScale : clampZoom(next, fitScale);
    const at = anchor ?? { x: pane.width / 2, y: pane.height / 2 };
    const moved = zoomAround(pan, at, scale, target);
    const size = { width: images.width * target, height: images.height * target };
    setZoom(next === 'fit' || Math.abs(target - fitScale) < 1e-9 ? 'fit' : target);
    setPan({
      x: size.width <= pane.width ? (pane.width - size.width) / 2 : Math.min(0, Math.max(pane.width - size.width, moved.x)),
      y: size.height <= pane.height ? (pane.height - size.height) / 2 : Math.min(0, Math.max(pane.height - size.height, moved.y)),
    });
  };

  /** The pointer's position in pane coordinates (side by side: within the pane it is over). */
  const paneAnchor = (clientX: number, clientY: number) => {
    const rect = stage.current!.getBoundingClientRect();
    let x = clientX - rect.left;
    if (mode === 'side-by-side' && x > pane.width) x -= pane.width + GAP;
    return { x, y: clientY - rect.top };
  };

  const moveDivider = (clientX: number) => {
    const rect = stage.current!.getBoundingClientRect();
    setPosition(Math.min(1, Math.max(0, (clientX - rect.left) / rect.width)));
  };

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if ((event.target as HTMLElement).closest('[data-toolbar]')) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    const onDivider = (event.target as HTMLElement).closest('[data-divider]') !== null;
    dragging.current = onDivider ? 'divider' : { x: event.clientX, y: event.clientY, panX: pan.x, panY: pan.y };
    if (onDivider) moveDivider(event.clientX);
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const drag = dragging.current;
    if (!drag) return;
    if (drag === 'divider') moveDivider(event.clientX);
    else setPan(clampPan(drag.panX + event.clientX - drag.x, drag.panY + event.clientY - drag.y));
  };
  const onPointerUp = () => {
    dragging.current = null;
  };
  const onWheel = (event: WheelEvent<HTMLDivElement>) => {
    const factor = Math.exp(-event.deltaY * 0.002);
    zoomTo(scale * factor, paneAnchor(event.clientX, event.clientY));
  };
  const onDoubleClick = (event: MouseEvent<HTMLDivElement>) => {
    if ((event.target as HTMLElement).closest('[data-toolbar], [data-divider]')) return;
    zoomTo(zoom !== 'fit' && Math.abs(scale - 1) < 1e-6 ? 'fit' : 1, paneAnchor(event.clientX, event.clientY));
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.shiftKey ? 0.1 : 0.02;
    if (event.key === 'ArrowLeft') setPosition((p) => Math.max(0, p - step));
    else if (event.key === 'ArrowRight') setPosition((p) => Math.min(1, p + step));
    else if (event.key === 'Home') setPosition(0);
    else if (event.key === 'End') setPosition(1);
    else return;
    event.preventDefault();
  };
  const onStageKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === '+' || event.key === '=') zoomTo(nextZoomStep(scale, fitScale, 1));
    else if (event.key === '-') zoomTo(nextZoomStep(scale, fitScale, -1));
    else if (event.key === '0') zoomTo('fit');
    else return;
    event.preventDefault();
  };

  // Slider mode: the divider is fixed on screen; where it falls on the canvas decides the clip.
  const dividerX = position * stageSize.width;
  const clipLeft = Math.min(canvas.width, Math.max(0, dividerX - pan.x));
  const pannable = canvas.width > pane.width + 0.5 || canvas.height > pane.height + 0.5;
  const canvasStyle = { width: canvas.width, height: canvas.height, transform: `translate(${pan.x}px, ${pan.y}px)` };
  const maskLayer = editor ?? (images.maskUrl && mask.visible && (
    <div
      className="compare-layer compare-mask"
      style={{ opacity: mask.opacity, maskImage: `url("${images.maskUrl}")`, WebkitMaskImage: `url("${images.maskUrl}")`, ...(mode === 'slider' ? { clipPath: `inset(0 0 0 ${clipLeft}px)` } : {}) }}
      data-testid="compare-mask"
    />
  ));

  return (
    <div
      ref={stage}
      className={`compare-stage ${mode}${pannable ? ' pannable' : ''}`}
      tabIndex={0}
      aria-label="Before and after: drag to pan, wheel or + and - to zoom, double-click for 100 %"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onWheel={onWheel}
      onDoubleClick={onDoubleClick}
      onKeyDown={onStageKeyDown}
      data-testid="compare-stage"
      data-scale={scale}
    >
      {mode === 'slider' ? (
        <div className="compare-pane" style={{ width: pane.width, height: pane.height }}>
          <div className="compare-canvas" style={canvasStyle}>
            <img className="compare-layer" src={images.beforeUrl} alt="Before" draggable={false} data-testid="compare-before" />
            <img className="compare-layer after" src={images.afterUrl} alt="After" draggable={false} style={{ clipPath: `inset(0 0 0 ${clipLeft}px)` }} data-testid="compare-after" />
            {maskLayer}
          </div>
        </div>
      ) : (
        <>
          <div className="compare-pane" style={{ width: pane.width, height: pane.height }} data-testid="pane-before">
            <div className="compare-canvas" style={canvasStyle}>
              <img className="compare-layer" src={images.beforeUrl} alt="Before" draggable={false} data-testid="compare-before" />
            </div>
          </div>
          <div className="compare-pane" style={{ width: pane.width, height: pane.height, left: pane.width + GAP }} data-testid="pane-after">
            <div className="compare-canvas" style={canvasStyle}>
              <img className="compare-layer" src={images.afterUrl} alt="After" draggable={false} data-testid="compare-after" />
              {maskLayer}
            </div>
          </div>
        </>
      )}
      <span className="compare-label left">Before</span>
      <span className="compare-label right">After</span>
      <div className="compare-toolbar" data-toolbar role="group" aria-label="Zoom">
        <button type="button" className="icon-button" aria-label="Zoom out" onClick={() => zoomTo(nextZoomStep(scale, fitScale, -1))} disabled={scale <= Math.min(fitScale, 1) + 1e-6} data-testid="zoom-out">
          −
        </button>
        <span className="compare-zoom" data-testid="compare-zoom">
          {Math.round(scale * 100)} %
        </span>
        <button type="button" className="icon-button" aria-label="Zoom in" onClick={() => zoomTo(nextZoomStep(scale, fitScale, 1))} disabled={scale >= MAX_ZOOM - 1e-6} data-testid="zoom-in">
          +
        </button>
        <button type="button" className={`button ghost small${zoom === 'fit' ? ' active' : ''}`} aria-pressed={zoom === 'fit'} onClick={() => zoomTo('fit')} data-testid="zoom-fit">
          Fit
        </button>
        <button type="button" className={`button ghost small${zoom === 1 ? ' active' : ''}`} aria-pressed={zoom === 1} onClick={() => zoomTo(1)} data-testid="zoom-actual">
          100 %
        </button>
      </div>
      {mode === 'slider' && (
        <div className="compare-divider" data-divider style={{ left: dividerX }}>
          <div
            className="compare-handle"
            role="slider"
            tabIndex={0}
            aria-label="Before and after divider"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(position * 100)}
            aria-valuetext={`${Math.round(position * 100)} % before`}
            onKeyDown={onKeyDown}
            data-testid="compare-handle"
          >
            <span aria-hidden="true">‹ ›</span>
          </div>
        </div>
      )}
    </div>
  );
}
