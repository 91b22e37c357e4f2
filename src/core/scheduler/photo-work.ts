import type { Stage } from '../../shared/events.js';
import type { ModelManifest } from '../../shared/model-manifest.js';
import type { DecodedImage } from '../imaging/codec.js';
import type { OutputCanvas } from '../inference/output-canvas.js';
import type { TilePlan } from '../inference/tiler.js';

/** A decoded (and pre-repaired) photo with its tile plan and the canvas its restored tiles are written into. */
export interface PreparedPhoto {
  file: string;
  image: DecodedImage;
  plan: TilePlan;
  canvas: OutputCanvas;
  /** Milliseconds per stage so far (decode, repair, ...), in the order they ran. */
  stageMs: Record<string, number>;
  /** Notes the stages left for the user (masked fraction, faces restored, ...). */
  notes: string[];
  /** When the photo was handed to the network (its tiles queued): the upscale stage's time runs from here. */
  networkStartedAt?: number;
  /** Files to write beside the output once it is in place (e.g. the damage mask). */
  sidecars: Sidecar[];
}

/** A file written beside the output, named after it. */
export interface Sidecar {
  /** Appended to the output's name without its extension: "<name>.mask.png". */
  suffix: string;
  /** Writes the file at `path` (a temporary name; it is renamed into place after). */
  write(path: string): Promise<void>;
}

export interface PhotoResult {
  output: string;
  width: number;
  height: number;
  notes: string[];
  /** Milliseconds per stage: decode, each stage, encode. */
  stageMs: Record<string, number>;
}

/** Runs the CPU-heavy part of some host work when the host CPU is free (see HostCpuTurns). */
export type HostCpuTurn = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * What the executor does around the network: the photo-level stages, given by the caller
 * (src/core/stages builds it), so the scheduler knows tiles and devices and nothing of
 * decoding, repair, faces or encoding.
 */
export interface PhotoWork {
  /** The tiled network every photo goes through; absent when none runs (`--model none`). */
  network?: ModelManifest;
  /** Tile core size in input pixels; 0 = the whole photo as one tile. */
  tileSize: number;
  /** Decode and run the stages before the network; `onStage` reports each stage as it starts. */
  prepare(file: string, onStage: (stage: Stage) => void): Promise<PreparedPhoto>;
  /** Re-cuts a prepared photo with another tile size (after an out-of-memory error), dropping what was written. */
  replan(photo: PreparedPhoto, tileSize: number): PreparedPhoto;
  /** The stages after the network, then encode and commit the output. */
  finish(photo: PreparedPhoto, options: { signal?: AbortSignal; turn: HostCpuTurn; onStage: (stage: Stage) => void }): Promise<PhotoResult>;
}
