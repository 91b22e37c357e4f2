import type { Stage } from '../../shared/events.js';
import type { DecodedImage } from '../imaging/codec.js';
import type { PreparedPhoto, Sidecar } from '../scheduler/photo-work.js';

export type { Sidecar } from '../scheduler/photo-work.js';

/** The stages a photo's restore is made of, in the order they run (decode before, encode after). */
export const STAGE_ORDER = ['repair', 'fading', 'upscale', 'faces'] as const;
export type StageName = (typeof STAGE_ORDER)[number];

/** What an image stage sees and may add to: the photo at its own resolution, before upscaling. */
export interface ImageStageInput {
  file: string;
  image: DecodedImage;
  signal?: AbortSignal;
  /** Notes for the user (file-done notes). */
  notes: string[];
  sidecars: Sidecar[];
}

/** Works on the decoded photo at its own size (damage repair, fading) and returns the new pixels. */
export interface ImageStage {
  readonly on: 'image';
  readonly name: StageName;
  /** What `progress.stage` says while it runs. */
  readonly progress: Stage;
  run(input: ImageStageInput): Promise<DecodedImage>;
}

/** Works on the restored photo after the network, before encoding (faces). */
export interface CanvasStage {
  readonly on: 'canvas';
  readonly name: StageName;
  readonly progress: Stage;
  run(photo: PreparedPhoto, signal?: AbortSignal): Promise<void>;
}

export type PhotoStage = ImageStage | CanvasStage;
