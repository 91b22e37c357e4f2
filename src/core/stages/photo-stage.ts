import type { Stage } from '../../shared/events.js';
import type { DecodedImage } from '../imaging/codec.js';
import type { Rect } from '../inference/tiler.js';
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

/** One thing a canvas stage writes (a face): its identity, the photo pixels it reads and the canvas pixels it writes. */
export interface CanvasItem {
  key: string;
  reads: Rect | null;
  writes: Rect | null;
}

/** Works on the restored photo after the network, before encoding (faces). */
export interface CanvasStage {
  readonly on: 'canvas';
  readonly name: StageName;
  readonly progress: Stage;
  /** `only`: redo just these items (keys from `items`); the canvas already holds the others ("Repair again"). */
  run(photo: PreparedPhoto, signal?: AbortSignal, only?: ReadonlySet<string>): Promise<void>;
  /**
   * What the stage would write on this photo, item by item, so that "Repair again" redoes
   * only the items an edit touches. A canvas stage without it makes Repair again run in full.
   */
  items?(image: DecodedImage, scale: number, signal?: AbortSignal): Promise<CanvasItem[]>;
}

export type PhotoStage = ImageStage | CanvasStage;
