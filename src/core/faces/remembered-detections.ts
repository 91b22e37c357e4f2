import type { PixelSource } from '../imaging/pixel-source.js';
import type { DetectedFace, FaceDetector } from './yunet-detector.js';

/**
 * A face detector that detects each image once: Repair again asks which faces a photo has
 * (to choose the faces to redo) and then restores them, both on the same decoded image.
 * Keyed by the image's sample buffer, which is not changed once decoded; forgotten with it.
 * A detection that failed (a cancel) is not remembered.
 */
export class RememberedDetections implements FaceDetector {
  private readonly found = new WeakMap<PixelSource['data'], Promise<DetectedFace[]>>();

  constructor(private readonly detector: FaceDetector) {}

  detect(source: PixelSource, signal?: AbortSignal): Promise<DetectedFace[]> {
    const known = this.found.get(source.data);
    if (known) return known;
    const detecting = this.detector.detect(source, signal);
    this.found.set(source.data, detecting);
    detecting.catch(() => this.found.delete(source.data));
    return detecting;
  }
}
