import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';

export interface CompareImages {
  beforeUrl: string;
  afterUrl: string;
  /** The restored image's size: both layers are drawn at it, so they line up pixel for pixel. */
  width: number;
  height: number;
}

type Zoom = 'fit' | 'actual';

/**
 * Before/after comparison: both images in one transformed canvas (so panning moves them
 * together), the "after" layer clipped at the divider. The divider stays where it is on
 * screen while the photo pans under it. Fit or 100 % (one image pixel per CSS pixel).
 */
export function CompareSlider({ images, zoom }: { images: CompareImages; zoom: Zoom }) {
  const stage = useRef<HTMLDivElement>(null);
  const [stageSize, setStageSize] = useState({ width: 0, height: 0 });
  const [position, setPosition] = useState(0.5);
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

  const scale = zoom === 'fit' && stageSize.width > 0 ? Math.min(stageSize.width / images.width, stageSize.height / images.height) : 1;
  const canvas = { width: images.width * scale, height: images.height * scale };

  const clampPan = useCallback(
    (x: number, y: number) => {
      // Smaller than the stage: centred. Larger: it may move until its edge meets the stage's.
      const cx = canvas.width <= stageSize.width ? (stageSize.width - canvas.width) / 2 : Math.min(0, Math.max(stageSize.width - canvas.width, x));
      const cy = canvas.height <= stageSize.height ? (stageSize.height - canvas.height) / 2 : Math.min(0, Math.max(stageSize.height - canvas.height, y));
      return { x: cx, y: cy };
    },
    [canvas.width, canvas.height, stageSize.width, stageSize.height],
  );

  // A new zoom or image: centre it.
  useEffect(() => {
    setPan(clampPan((stageSize.width - canvas.width) / 2, (stageSize.height - canvas.height) / 2));
  }, [zoom, images.afterUrl, stageSize.width, stageSize.height, canvas.width, canvas.height, clampPan]);

  const moveDivider = (clientX: number) => {
    const rect = stage.current!.getBoundingClientRect();
    setPosition(Math.min(1, Math.max(0, (clientX - rect.left) / rect.width)));
  };

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
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
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.shiftKey ? 0.1 : 0.02;
    if (event.key === 'ArrowLeft') setPosition((p) => Math.max(0, p - step));
    else if (event.key === 'ArrowRight') setPosition((p) => Math.min(1, p + step));
    else if (event.key === 'Home') setPosition(0);
    else if (event.key === 'End') setPosition(1);
    else return;
    event.preventDefault();
  };

  // The divider is fixed on screen; where it falls on the canvas decides the clip.
  const dividerX = position * stageSize.width;
  const clipLeft = Math.min(canvas.width, Math.max(0, dividerX - pan.x));
  const pannable = canvas.width > stageSize.width || canvas.height > stageSize.height;

  return (
    <div ref={stage} className={`compare-stage${pannable ? ' pannable' : ''}`} onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp} onPointerCancel={onPointerUp} data-testid="compare-stage">
      <div className="compare-canvas" style={{ width: canvas.width, height: canvas.height, transform: `translate(${pan.x}px, ${pan.y}px)` }}>
        <img className="compare-layer" src={images.beforeUrl} alt="Before" draggable={false} data-testid="compare-before" />
        <img className="compare-layer after" src={images.afterUrl} alt="After" draggable={false} style={{ clipPath: `inset(0 0 0 ${clipLeft}px)` }} data-testid="compare-after" />
      </div>
      <span className="compare-label left">Before</span>
      <span className="compare-label right">After</span>
      <span className="compare-zoom" data-testid="compare-zoom">
        {Math.round(scale * 100)} %
      </span>
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
    </div>
  );
}
