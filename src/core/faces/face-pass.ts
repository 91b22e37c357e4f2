import type { MemoryBudget, Precision } from '../../shared/devices.js';
import { HeirloomError } from '../../shared/errors.js';
import { DEFAULT_FACE_FIDELITY, DEFAULT_FACE_WEIGHT, type FaceSettings } from '../../shared/face-settings.js';
import type { ModelManifest } from '../../shared/model-manifest.js';
import type { SessionConfig } from '../inference/ort-backend.js';
import type { SessionPool } from '../inference/session-pool.js';
import type { PixelSource } from '../inference/tiler.js';
import type { InstalledModel, ModelRegistry } from '../models/model-registry.js';
import { planFaceBatch } from './face-batches.js';
import { createFaceModelRunner, type FaceModelRunner } from './face-model-runner.js';
import { detectRestorableFaces, faceFootprint, faceKey, restoreFacesInPhotos, type FaceProgress } from './face-pipeline.js';
import type { Region } from './face-align.js';
import type { FaceCanvas } from './paste-face.js';
import { DEFAULT_FACE_DETECTOR_ID, findFaceDetectorModel, YuNetDetector, type DetectedFace, type FaceDetector, type YuNetOptions } from './yunet-detector.js';
import { RememberedDetections } from './remembered-detections.js';

/** What the user asked for: `--faces [--face-model ID] [--face-weight W] [--face-fidelity F]`, and detector tuning. */
export interface FaceRequest extends FaceSettings {
  detector?: Partial<Pick<YuNetOptions, 'scoreThreshold' | 'nmsThreshold' | 'maxSide'>>;
}

/** The device the pass runs on, as the scheduler's lane describes it. */
export interface FaceDevice {
  session: SessionConfig;
  freeBytes: () => Promise<number>;
  budget: MemoryBudget;
  maxBatch: number;
  precision: Precision;
}

/** A photo whose background is restored: the decoded pixels and the canvas at target scale. */
export interface FacePassPhoto {
  file?: string;
  image: { pixels: PixelSource };
  canvas: FaceCanvas & { readonly scale: number };
  /** Restore only the faces this accepts (the canvas already holds the others); default all. */
  only?: (face: DetectedFace) => boolean;
}

/** One face of a photo as "Repair again" weighs it: its identity, the photo pixels it reads and the canvas pixels it writes. */
export interface FaceFootprint {
  key: string;
  reads: Region | null;
  writes: Region | null;
}

/** Without --face-model, the first of these that is installed (then any face-restore model). */
export const FACE_MODEL_PREFERENCE = ['gfpgan-1.4', 'codeformer', 'gpen-bfr-512', 'gpen-bfr-256'] as const;

/**
 * The face pass of a restore job, built once per job: the detector and the face model are
 * resolved from the registry by task (manifest-driven, never by name), their sessions come
 * from the shared pool, and each photo's batch of faces is planned from the face model's
 * memory model and the device's free memory.
 */
interface PendingPhoto {
  photo: FacePassPhoto;
  options: { onProgress?: (p: FaceProgress) => void; signal?: AbortSignal };
  resolve: (result: { faces: number }) => void;
  reject: (error: unknown) => void;
}

/** Most photos whose faces are restored as one group (their canvases are held meanwhile). */
export const MAX_FACE_GROUP = 8;

export class FacePass {
  /**
   * Photos whose backgrounds finish while a group is running wait here and go together into
   * the next group, so faces from several photos share batches (the GPEN batch case).
   */
  private pending: PendingPhoto[] = [];
  private flushing: Promise<void> | undefined;

  private constructor(
    readonly manifest: ModelManifest,
    readonly weight: number,
    readonly fidelity: number,
    private readonly detector: FaceDetector,
    private readonly model: FaceModelRunner,
    private readonly device: FaceDevice,
  ) {}

  static async open(deps: { models: ModelRegistry; sessions: SessionPool }, request: FaceRequest, device: FaceDevice): Promise<FacePass> {
    const weight = request.weight ?? DEFAULT_FACE_WEIGHT;
    if (!(weight >= 0 && weight <= 1)) throw new HeirloomError('USAGE', `--face-weight must be a number from 0 to 1, got ${request.weight}.`);
    const fidelity = request.fidelity ?? DEFAULT_FACE_FIDELITY;
    if (!(fidelity >= 0 && fidelity <= 1)) throw new HeirloomError('USAGE', `--face-fidelity must be a number from 0 to 1, got ${request.fidelity}.`);
    const installed = await deps.models.list();
    const faceModel = request.modelId ? await deps.models.get(request.modelId) : pickFaceModel(installed);
    const detectorModel = findFaceDetectorModel(installed);
    if (!detectorModel) throw new HeirloomError('MODEL_NOT_FOUND', `No face detector is installed (the bundled ${DEFAULT_FACE_DETECTOR_ID} is missing). Reinstall Heirloom.`);
    const [faceSession, detectorSession] = await Promise.all([deps.sessions.get(faceModel.path, device.session), deps.sessions.get(detectorModel.path, device.session)]);
    const model = createFaceModelRunner(faceSession, faceModel.manifest);
    const detector = new RememberedDetections(new YuNetDetector(detectorSession, { ...request.detector, inputName: detectorModel.manifest.input.name }));
    return new FacePass(faceModel.manifest, weight, fidelity, detector, model, device);
  }

  /** The faces this pass would restore in a photo, and what each reads and writes (no face model runs). */
  async footprints(source: PixelSource, scale: number, signal?: AbortSignal): Promise<FaceFootprint[]> {
    const faces = await detectRestorableFaces(this.detector, source, signal);
    return faces.map((face) => ({ key: faceKey(face), ...faceFootprint(face, this.model, scale, source) }));
  }

  /** Detects, restores and pastes back the faces of one photo, in its canvas (grouped with photos finishing meanwhile). */
  restore(photo: FacePassPhoto, options: { onProgress?: (p: FaceProgress) => void; signal?: AbortSignal } = {}): Promise<{ faces: number }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ photo, options, resolve, reject });
      this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
    });
  }

  private async flush(): Promise<void> {
    // Photos that finish in the same turn of the event loop join the first group.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const group = this.pending.splice(0, MAX_FACE_GROUP);
      try {
        const counts = await this.restoreGroup(group);
        group.forEach((p, i) => p.resolve({ faces: counts[i] ?? 0 }));
      } catch (error) {
        if (group.length === 1) {
          group[0]!.reject(this.explain(error, group[0]!.photo));
          continue;
        }
        // A bad photo fails alone: retry the group's photos one by one.
        for (const p of group) {
          try {
            p.resolve({ faces: (await this.restoreGroup([p]))[0] ?? 0 });
          } catch (single) {
            p.reject(this.explain(single, p.photo));
          }
        }
      }
    }
  }

  private explain(error: unknown, photo: FacePassPhoto): unknown {
    if (error instanceof HeirloomError) return error;
    const what = photo.file ?? 'a photo';
    return new HeirloomError('INFERENCE_FAILED', `Restoring the faces of ${what} with ${this.manifest.id} failed (${(error as Error).message.split('\n')[0]}). Try another face model or restore without --faces.`, {
      ...(photo.file ? { file: photo.file } : {}),
      cause: error,
    });
  }

  private restoreGroup(group: PendingPhoto[]): Promise<number[]> {
    let last: FaceProgress | undefined;
    const signal = group.find((p) => p.options.signal)?.options.signal;
    return restoreFacesInPhotos(
      group.map(({ photo }) => ({ source: photo.image.pixels, canvas: photo.canvas, scale: photo.canvas.scale, ...(photo.only ? { only: photo.only } : {}) })),
      {
        detector: this.detector,
        model: this.model,
        weight: this.weight,
        fidelity: this.fidelity,
        batchSize: async (faces) =>
          planFaceBatch({
            manifest: this.manifest,
            freeBytes: await this.device.freeBytes(),
            budget: this.device.budget,
            precision: this.device.precision,
            maxBatch: Math.min(this.device.maxBatch, this.model.maxBatch),
            faces,
          }).batchSize,
        onProgress: (progress) => (last = progress),
        ...(signal ? { signal } : {}),
      },
    ).then((counts) => {
      // Each photo hears about its own faces, and the batch size they shared with the group.
      group.forEach((p, i) => p.options.onProgress?.({ ...(last ?? { stage: 'restoring', batchSize: 1, done: 0, total: 0 }), faces: counts[i] ?? 0 }));
      return counts;
    });
  }
}

function pickFaceModel(installed: InstalledModel[]): InstalledModel {
  const faces = installed.filter((m) => m.manifest.task === 'face-restore');
  const preferred = FACE_MODEL_PREFERENCE.map((id) => faces.find((m) => m.manifest.id === id)).find((m) => m !== undefined);
  const chosen = preferred ?? faces[0];
  if (!chosen) {
    throw new HeirloomError(
      'MODEL_NOT_FOUND',
      `--faces needs a face-restoration model and none is installed. Download one ("heirloom models download gfpgan-1.4", or codeformer, gpen-bfr-512, gpen-bfr-256) or import one ("heirloom models import face.onnx").`,
    );
  }
  return chosen;
}
