import { HeirloomError } from '../../shared/errors.js';
import { DEFAULT_FACE_FIDELITY } from '../../shared/face-settings.js';
import type { PixelSource } from '../inference/tiler.js';
import { alignFace, cropBounds, type FaceCropSpec, type Region } from './face-align.js';
import { restoreFaceBatches } from './face-batches.js';
import { composeAffine, estimateSimilarity } from './face-geometry.js';
import { faceTemplate } from './face-template.js';
import type { FeatherOptions } from './face-mask.js';
import type { FaceModelRunner } from './face-model-runner.js';
import { canvasToSource, pasteFace, type FaceCanvas } from './paste-face.js';
import type { DetectedFace, FaceDetector } from './yunet-detector.js';

/** One photo for the face pass: what the background model saw, and what it made of it. */
export interface FacePhoto {
  /** The decoded photo. */
  source: PixelSource;
  /** The restored background, `scale` times the photo; faces are pasted into it in place. */
  canvas: FaceCanvas;
  scale: number;
  /** Restore only the faces this accepts ("Repair again": the canvas already holds the others); default all. */
  only?: (face: DetectedFace) => boolean;
}

export interface FaceProgress {
  stage: 'detecting' | 'restoring' | 'pasting';
  /** Faces found so far, in all photos of the call. */
  faces: number;
  /** Faces in the batch just run (restoring), else the planned batch size. */
  batchSize: number;
  /** Faces restored so far, and in all. */
  done: number;
  total: number;
}

export interface FaceRestoreOptions {
  detector: FaceDetector;
  model: FaceModelRunner;
  /** 0..1: how much of the restored face replaces the background model's face (0 = none). */
  weight: number;
  /**
   * 0..1, fed to a model's own fidelity input when its manifest declares one (CodeFormer:
   * higher = closer to the input); default DEFAULT_FACE_FIDELITY. Other models ignore it.
   */
  fidelity?: number;
  /**
   * Faces per model run, or a function of the number of faces found that picks it (the
   * scheduler's planFaceBatch, from the face model's memory model and the free memory).
   */
  batchSize: number | ((faces: number) => number | Promise<number>);
  /** Faces narrower than this many photo pixels are left to the background model. */
  minFaceSize?: number;
  feather?: FeatherOptions;
  onProgress?: (progress: FaceProgress) => void;
  signal?: AbortSignal;
}

/** Faces smaller than this carry too little detail for a face model to do anything but invent one. */
export const DEFAULT_MIN_FACE_SIZE = 16;

/**
 * The face pass for several photos at once: detect in each, align every face, restore all
 * faces together in batches (faces from different photos share the model's shape, which is
 * what makes the batches full), then paste each face back into its own photo's canvas.
 * Returns the number of faces restored per photo.
 */
export async function restoreFacesInPhotos(photos: readonly FacePhoto[], options: FaceRestoreOptions): Promise<number[]> {
  const minSize = options.minFaceSize ?? DEFAULT_MIN_FACE_SIZE;
  const found: Array<{ photo: number; face: DetectedFace }> = [];
  const counts = photos.map(() => 0);
  let faces = 0;
  const planned = typeof options.batchSize === 'number' ? options.batchSize : 1;
  for (const [index, photo] of photos.entries()) {
    throwIfCancelled(options.signal);
    options.onProgress?.({ stage: 'detecting', faces, batchSize: planned, done: 0, total: 0 });
    const detected = (await detectRestorableFaces(options.detector, photo.source, options.signal, minSize)).filter((f) => photo.only?.(f) ?? true);
    for (const face of detected) found.push({ photo: index, face });
    counts[index] = detected.length;
    faces += detected.length;
  }
  if (faces === 0 || !(options.weight > 0)) {
    options.onProgress?.({ stage: 'restoring', faces, batchSize: planned, done: faces, total: faces });
    return counts;
  }
  const batchSize = typeof options.batchSize === 'number' ? options.batchSize : await options.batchSize(faces);
  options.onProgress?.({ stage: 'restoring', faces, batchSize, done: 0, total: faces });

  const aligned = found.map((f) => alignFace(photos[f.photo]!.source, f.face.landmarks, options.model));
  throwIfCancelled(options.signal);
  const restored = await restoreFaceBatches(
    aligned.map((a) => a.crop),
    options.model,
    {
      batchSize,
      fidelity: options.fidelity ?? DEFAULT_FACE_FIDELITY,
      ...(options.signal ? { signal: options.signal } : {}),
      onBatch: (b) => options.onProgress?.({ stage: 'restoring', faces, batchSize: b.batchSize, done: b.done, total: b.total }),
    },
  );
  throwIfCancelled(options.signal);
  options.onProgress?.({ stage: 'pasting', faces, batchSize, done: faces, total: faces });
  found.forEach((f, i) => {
    const photo = photos[f.photo]!;
    const canvasToCrop = composeAffine(aligned[i]!.toCrop, canvasToSource(photo.scale));
    pasteFace(photo.canvas, restored[i]!, canvasToCrop, options.weight, options.feather);
  });
  return counts;
}

/** The face pass for one photo: `restoreFacesInPhotos` with a single photo. */
export async function restoreFaces(photo: FacePhoto, options: FaceRestoreOptions): Promise<{ faces: number }> {
  const [faces] = await restoreFacesInPhotos([photo], options);
  return { faces: faces ?? 0 };
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new HeirloomError('CANCELLED', 'Face restoration was cancelled; nothing was written.');
}

/** The faces the pass restores in a photo: detected, and wide enough for a face model. */
export async function detectRestorableFaces(detector: FaceDetector, source: PixelSource, signal?: AbortSignal, minFaceSize = DEFAULT_MIN_FACE_SIZE): Promise<DetectedFace[]> {
  return (await detector.detect(source, signal)).filter((f) => f.box.width >= minFaceSize);
}

/**
 * What restoring one face touches: the photo pixels its aligned crop reads (the crop's box
 * plus the bicubic sampler's reach) and the canvas pixels its paste may write.
 */
export function faceFootprint(face: DetectedFace, crop: FaceCropSpec, scale: number, photo: { width: number; height: number }): { reads: Region | null; writes: Region | null } {
  const toCrop = estimateSimilarity(face.landmarks, faceTemplate(crop.template, crop.size));
  const reads = cropBounds(toCrop, crop.size, photo.width, photo.height);
  const writes = cropBounds(composeAffine(toCrop, canvasToSource(scale)), crop.size, photo.width * scale, photo.height * scale);
  const reach = 2;
  return {
    reads: reads && { x: Math.max(0, reads.x - reach), y: Math.max(0, reads.y - reach), width: Math.min(photo.width, reads.x + reads.width + reach) - Math.max(0, reads.x - reach), height: Math.min(photo.height, reads.y + reads.height + reach) - Math.max(0, reads.y - reach) },
    writes,
  };
}

/** A face's identity across two detections of nearly the same photo: its landmarks. */
export function faceKey(face: DetectedFace): string {
  return face.landmarks.map((p) => `${p.x.toFixed(3)},${p.y.toFixed(3)}`).join(';');
}
