import { HeirloomError } from '../../shared/errors.js';
import type { InputTensorData, TensorData } from '../inference/ort-backend.js';
import type { PixelSource } from '../inference/tiler.js';
import { resizeSamples16 } from '../imaging/resample.js';
import type { InstalledModel } from '../models/model-registry.js';
import type { Point } from './face-geometry.js';

/** The bundled face detector's id. */
export const DEFAULT_FACE_DETECTOR_ID = 'yunet-s';

/** The installed face detector to use: the bundled one, else any face-detect model. */
export function findFaceDetectorModel(installed: readonly InstalledModel[]): InstalledModel | undefined {
  return installed.find((m) => m.manifest.id === DEFAULT_FACE_DETECTOR_ID && m.manifest.task === 'face-detect') ?? installed.find((m) => m.manifest.task === 'face-detect');
}

/** A face as the detector reports it, in photo pixel coordinates. */
export interface DetectedFace {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  /** In image order: left-of-picture eye, other eye, nose tip, left-of-picture mouth corner, other corner. */
  landmarks: [Point, Point, Point, Point, Point];
}

export interface FaceDetector {
  detect(source: PixelSource, signal?: AbortSignal): Promise<DetectedFace[]>;
}

/** What the detector needs from a model session: run by name, outputs by name. */
export interface DetectorSession {
  run(inputs: Record<string, InputTensorData>): Promise<Record<string, TensorData>>;
}

export interface YuNetOptions {
  /** Faces scoring below this are dropped (OpenCV's default is 0.9). */
  scoreThreshold: number;
  /** Overlap (IoU) above which the weaker of two boxes is suppressed (OpenCV: 0.3). */
  nmsThreshold: number;
  /** Candidates kept before suppression (OpenCV: 5000). */
  topK: number;
  /**
   * Photos whose longer side exceeds this are shrunk before detection and the results scaled
   * back: YuNet's strides see faces of roughly 10-300 px best, and a 6000 px scan would cost
   * far more time and memory than it gains.
   */
  maxSide: number;
  /** Model input name (the manifest's input.name). */
  inputName: string;
}

export const DEFAULT_YUNET_OPTIONS: YuNetOptions = { scoreThreshold: 0.8, nmsThreshold: 0.3, topK: 5000, maxSide: 1280, inputName: 'input' };

const STRIDES = [8, 16, 32] as const;
const DIVISOR = 32;

/**
 * YuNet face detection, decoded exactly as OpenCV's FaceDetectorYN does: BGR 0..255 input
 * padded with zeros to a multiple of 32 at the bottom and right; per stride, score =
 * sqrt(clamp(cls) * clamp(obj)); box centre (col + dx, row + dy) * stride, size
 * exp(dw|dh) * stride; landmarks (col|row + k) * stride; then greedy NMS on integer boxes.
 */
export class YuNetDetector implements FaceDetector {
  private readonly options: YuNetOptions;

  constructor(
    private readonly session: DetectorSession,
    options: Partial<YuNetOptions> = {},
  ) {
    this.options = { ...DEFAULT_YUNET_OPTIONS, ...options };
  }

  async detect(source: PixelSource, signal?: AbortSignal): Promise<DetectedFace[]> {
    const { image, factor } = await this.detectionImage(source);
    if (signal?.aborted) return [];
    const padW = Math.ceil(image.width / DIVISOR) * DIVISOR;
    const padH = Math.ceil(image.height / DIVISOR) * DIVISOR;
    const input = toBgrBlob(image, padW, padH);
    const outputs = await this.session.run({ [this.options.inputName]: { data: input, dims: [1, 3, padH, padW] } });
    const faces = nonMaximumSuppression(decodeYuNet(outputs, padW, padH, this.options.scoreThreshold), this.options);
    if (factor === 1) return faces;
    // Back to the photo's pixel grid (pixel centres on integers in both).
    const map = (v: number) => (v + 0.5) * factor - 0.5;
    return faces.map((f) => ({
      score: f.score,
      box: { x: map(f.box.x), y: map(f.box.y), width: f.box.width * factor, height: f.box.height * factor },
      landmarks: f.landmarks.map((p) => ({ x: map(p.x), y: map(p.y) })) as DetectedFace['landmarks'],
    }));
  }

  /** The photo itself, or a high-quality reduction of it when it is larger than maxSide. */
  private async detectionImage(source: PixelSource): Promise<{ image: PixelSource; factor: number }> {
    const longer = Math.max(source.width, source.height);
    if (longer <= this.options.maxSide) return { image: source, factor: 1 };
    const factor = longer / this.options.maxSide;
    const width = Math.max(1, Math.round(source.width / factor));
    const height = Math.max(1, Math.round(source.height / factor));
    const channels = source.stride < 3 ? 1 : 3;
    const widened = new Uint16Array(source.width * source.height * channels);
    const widen = source.maxValue === 65535 ? 1 : 65535 / source.maxValue;
    for (let p = 0, d = 0; p < source.width * source.height; p++) {
      for (let c = 0; c < channels; c++) widened[d++] = Math.round(source.data[p * source.stride + c]! * widen);
    }
    const data = await resizeSamples16(widened, source.width, source.height, channels, width, height);
    return { image: { width, height, stride: channels, data, maxValue: 65535 }, factor: source.width / width };
  }
}

/** Planar BGR float 0..255 of size padW x padH, zero beyond the image (OpenCV pads with 0). */
function toBgrBlob(image: PixelSource, padW: number, padH: number): Float32Array {
  const plane = padW * padH;
  const blob = new Float32Array(3 * plane);
  const k = 255 / image.maxValue;
  const gray = image.stride < 3;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const s = (y * image.width + x) * image.stride;
      const d = y * padW + x;
      const r = image.data[s]! * k;
      blob[d] = gray ? r : image.data[s + 2]! * k;
      blob[d + plane] = gray ? r : image.data[s + 1]! * k;
      blob[d + 2 * plane] = r;
    }
  }
  return blob;
}

function output(outputs: Record<string, TensorData>, name: string): Float32Array {
  const t = outputs[name];
  if (!t) throw new HeirloomError('MODEL_INVALID', `The face detector produced no output "${name}"; it is not a YuNet model. Reinstall the bundled yunet model.`);
  return t.data;
}

/** Every anchor whose score reaches the threshold, in stride then row-major order (as OpenCV). */
export function decodeYuNet(outputs: Record<string, TensorData>, padW: number, padH: number, scoreThreshold: number): DetectedFace[] {
  const faces: DetectedFace[] = [];
  for (const stride of STRIDES) {
    const cols = Math.floor(padW / stride);
    const rows = Math.floor(padH / stride);
    const cls = output(outputs, `cls_${stride}`);
    const obj = output(outputs, `obj_${stride}`);
    const bbox = output(outputs, `bbox_${stride}`);
    const kps = output(outputs, `kps_${stride}`);
    if (cls.length < rows * cols) throw new HeirloomError('MODEL_INVALID', `The face detector's cls_${stride} has ${cls.length} values for a ${cols}x${rows} grid; it does not match the YuNet layout.`);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const idx = r * cols + c;
        const score = Math.sqrt(clamp01(cls[idx]!) * clamp01(obj[idx]!));
        if (score < scoreThreshold) continue;
        const cx = (c + bbox[idx * 4]!) * stride;
        const cy = (r + bbox[idx * 4 + 1]!) * stride;
        const w = Math.exp(bbox[idx * 4 + 2]!) * stride;
        const h = Math.exp(bbox[idx * 4 + 3]!) * stride;
        const landmarks = [0, 1, 2, 3, 4].map((n) => ({ x: (kps[idx * 10 + 2 * n]! + c) * stride, y: (kps[idx * 10 + 2 * n + 1]! + r) * stride }));
        faces.push({ box: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, score, landmarks: landmarks as DetectedFace['landmarks'] });
      }
    }
  }
  return faces;
}

/**
 * OpenCV's dnn::NMSBoxes (eta 1) on the boxes truncated to integers: highest score first
 * (stable for ties), at most topK candidates, a box is kept when its IoU with every kept box
 * is at most the threshold.
 */
export function nonMaximumSuppression(faces: DetectedFace[], options: Pick<YuNetOptions, 'nmsThreshold' | 'topK'>): DetectedFace[] {
  if (faces.length <= 1) return faces;
  const order = faces
    .map((face, index) => ({ face, index }))
    .sort((a, b) => b.face.score - a.face.score || a.index - b.index)
    .slice(0, options.topK);
  const kept: DetectedFace[] = [];
  for (const { face } of order) {
    if (kept.every((k) => intIoU(k.box, face.box) <= options.nmsThreshold)) kept.push(face);
  }
  return kept;
}

function intIoU(a: DetectedFace['box'], b: DetectedFace['box']): number {
  const ax = Math.trunc(a.x);
  const ay = Math.trunc(a.y);
  const aw = Math.trunc(a.width);
  const ah = Math.trunc(a.height);
  const bx = Math.trunc(b.x);
  const by = Math.trunc(b.y);
  const bw = Math.trunc(b.width);
  const bh = Math.trunc(b.height);
  const iw = Math.min(ax + aw, bx + bw) - Math.max(ax, bx);
  const ih = Math.min(ay + ah, by + bh) - Math.max(ay, by);
  const inter = iw > 0 && ih > 0 ? iw * ih : 0;
  const union = aw * ah + bw * bh - inter;
  return union > 0 ? inter / union : 0;
}

function clamp01(v: number): number {
  return v > 0 ? (v < 1 ? v : 1) : 0;
}
