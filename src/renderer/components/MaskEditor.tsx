import { forwardRef, useEffect, useImperativeHandle, useRef, useState, type PointerEvent } from 'react';

export type BrushTool = 'add' | 'erase';

/** What the Compare toolbar asks of the editor. */
export interface MaskEditorHandle {
  undo(): void;
  redo(): void;
  /** The edited mask as a grey PNG (white = damage) at the photo's size, base64. */
  exportPng(): string;
}

const MAX_UNDO = 40;
const RED = [255, 45, 85] as const;

/**
 * The damage mask as a paintable layer over the restored photo: the brush adds damage
 * marks, the eraser removes them, at the mask's own resolution (the photo's size, before
 * upscaling). Strokes can be undone and redone. It sits in Compare's zoomed canvas, so it
 * stays aligned with both images.
 */
export const MaskEditor = forwardRef<MaskEditorHandle, { maskUrl: string; tool: BrushTool; size: number; opacity: number; onHistoryChange: (undo: number, redo: number) => void }>(function MaskEditor(
  { maskUrl, tool, size, opacity, onHistoryChange },
  ref,
) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const undoStack = useRef<ImageData[]>([]);
  const redoStack = useRef<ImageData[]>([]);
  const last = useRef<{ x: number; y: number } | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let active = true;
    const image = new Image();
    image.onload = () => {
      const element = canvas.current;
      if (!active || !element) return;
      element.width = image.naturalWidth;
      element.height = image.naturalHeight;
      const context = element.getContext('2d', { willReadFrequently: true })!;
      context.drawImage(image, 0, 0);
      const pixels = context.getImageData(0, 0, element.width, element.height);
      for (let i = 0; i < pixels.data.length; i += 4) {
        const damaged = pixels.data[i]! > 127;
        pixels.data.set(damaged ? [RED[0], RED[1], RED[2], 255] : [0, 0, 0, 0], i);
      }
      context.putImageData(pixels, 0, 0);
      undoStack.current = [];
      redoStack.current = [];
      onHistoryChange(0, 0);
      setReady(true);
    };
    image.src = maskUrl;
    return () => {
      active = false;
    };
  }, [maskUrl, onHistoryChange]);

  const context = () => canvas.current!.getContext('2d', { willReadFrequently: true })!;
  const snapshot = () => context().getImageData(0, 0, canvas.current!.width, canvas.current!.height);
  const report = () => onHistoryChange(undoStack.current.length, redoStack.current.length);

  useImperativeHandle(ref, () => ({
    undo() {
      const previous = undoStack.current.pop();
      if (!previous) return;
      redoStack.current.push(snapshot());
      context().putImageData(previous, 0, 0);
      report();
    },
    redo() {
      const next = redoStack.current.pop();
      if (!next) return;
      undoStack.current.push(snapshot());
      context().putImageData(next, 0, 0);
      report();
    },
    exportPng() {
      const source = canvas.current!;
      const out = document.createElement('canvas');
      out.width = source.width;
      out.height = source.height;
      const painted = snapshot();
      const grey = new ImageData(source.width, source.height);
      for (let i = 0; i < painted.data.length; i += 4) {
        const v = painted.data[i + 3]! > 127 ? 255 : 0;
        grey.data.set([v, v, v, 255], i);
      }
      out.getContext('2d')!.putImageData(grey, 0, 0);
      return out.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
    },
  }));

  const toCanvas = (event: PointerEvent<HTMLCanvasElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    return { x: ((event.clientX - rect.left) / rect.width) * event.currentTarget.width, y: ((event.clientY - rect.top) / rect.height) * event.currentTarget.height };
  };
  const paint = (from: { x: number; y: number }, to: { x: number; y: number }) => {
    const c = context();
    c.globalCompositeOperation = tool === 'add' ? 'source-over' : 'destination-out';
    c.strokeStyle = `rgb(${RED.join(',')})`;
    c.fillStyle = c.strokeStyle;
    c.lineWidth = size;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x, to.y);
    c.stroke();
    c.beginPath();
    c.arc(to.x, to.y, size / 2, 0, Math.PI * 2);
    c.fill();
  };

  const onPointerDown = (event: PointerEvent<HTMLCanvasElement>) => {
    if (!ready || event.button !== 0) return;
    event.stopPropagation(); // painting, not panning
    event.currentTarget.setPointerCapture(event.pointerId);
    undoStack.current.push(snapshot());
    if (undoStack.current.length > MAX_UNDO) undoStack.current.shift();
    redoStack.current = [];
    const at = toCanvas(event);
    last.current = at;
    paint(at, at);
    report();
  };
  const onPointerMove = (event: PointerEvent<HTMLCanvasElement>) => {
    if (!last.current) return;
    event.stopPropagation();
    const at = toCanvas(event);
    paint(last.current, at);
    last.current = at;
  };
  const onPointerUp = (event: PointerEvent<HTMLCanvasElement>) => {
    if (last.current) event.stopPropagation();
    last.current = null;
  };

  return (
    <canvas
      ref={canvas}
      className={`compare-layer mask-editor ${tool}`}
      style={{ opacity }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onDoubleClick={(e) => e.stopPropagation()}
      data-testid="mask-editor"
      data-ready={ready}
    />
  );
});
