import { HeirloomError } from '../../shared/errors.js';
import type { MemoryBudget, Precision } from '../../shared/devices.js';
import type { ModelManifest } from '../../shared/model-manifest.js';
import type { PixelSource } from '../imaging/pixel-source.js';
import type { SessionConfig } from '../inference/ort-backend.js';
import type { SessionPool } from '../inference/session-pool.js';
import { planTiles, reflectIndex, type Tile, type TilePlan } from '../inference/tiler.js';
import type { InstalledModel, ModelRegistry } from '../models/model-registry.js';
import { checkSignature } from '../models/catalog/onnx-signature.js';
import { planBatch } from '../scheduler/batch-planner.js';
import { estimateBatchMemory } from '../scheduler/memory-model.js';
import { isOutOfMemoryError } from '../scheduler/out-of-memory.js';
import { type FaceDetector, findFaceDetectorModel, YuNetDetector } from '../faces/yunet-detector.js';
import { protectFaceFeatures } from './face-features.js';
import { marksOf } from './mask.js';
import { dropOrdinaryMarks } from './ordinary-marks.js';
import { dropStepEdges } from './step-edges.js';

export const DEFAULT_DAMAGE_MODEL_ID = 'damage-unet';
/** Detection tile (core) in photo pixels: large enough that context is a small share, small enough to batch. */
export const DAMAGE_TILE = 256;
/** Probability above which a pixel counts as damaged. */
export const DAMAGE_THRESHOLD = 0.5;
const TILE_FLOOR = 32;

/** Which weights find the damage, as a job records it: "<id>@<first 16 hex of the model's sha256>". */
export function detectorIdentity(manifest: ModelManifest): string {
  return `${manifest.id}@${manifest.sha256.slice(0, 16)}`;
}

/** The device the detector runs on, as the scheduler describes it. */
export interface DetectorDevice {
  session: SessionConfig;
  freeBytes: () => Promise<number>;
  budget: MemoryBudget;
  maxBatch: number;
  precision: Precision;
}

export interface DamageMask {
  width: number;
  height: number;
  /** 1 = damaged, per pixel. */
  mask: Uint8Array;
  /** Share of the photo's pixels marked damaged. */
  fraction: number;
  /** Pixels the network marked that lay on the photo's own outlines and were dropped (step-edges.ts). */
  outlinePixels: number;
  /** Pixels the network marked whose tone the photo has all around them (texture), dropped (ordinary-marks.ts). */
  texturePixels: number;
  /** Pixels the network marked on faces' eyes, brows, nostrils and lips, left alone (face-features.ts). */
  faceFeaturePixels: number;
  /** Faces found (0 when no face detector is installed). */
  faces: number;
}

export interface DetectOptions {
  signal?: AbortSignal;
  onProgress?: (p: DetectProgress) => void;
  threshold?: number;
  /** The network's mask as it is: marks on outlines and on faces' features kept (evaluation). */
  raw?: boolean;
}

export interface DetectProgress {
  tile: number;
  tiles: number;
  batchSize: number;
  recommendedBatch: number;
  tileSize: number;
}

type Runner = (input: Float32Array, dims: [number, number, number, number]) => Promise<Float32Array>;

/**
 * The damage-detection network run the engine's way: tiles with the model's context on every
 * side (mirrored at the photo's border), padded up to the size multiple the network needs,
 * batched as free memory allows, and on out-of-memory the batch and then the tile halved.
 */
export class DamageDetector {
  private constructor(
    readonly manifest: ModelManifest,
    private readonly run: Runner,
    private readonly device: DetectorDevice,
    private readonly faces: FaceDetector | null,
  ) {}

  /** Opens the detector on a device; the manifest and the ONNX file's inputs and outputs are checked first. */
  static async open(deps: { models: ModelRegistry; sessions: SessionPool }, device: DetectorDevice, modelId = DEFAULT_DAMAGE_MODEL_ID): Promise<DamageDetector> {
    const model = await deps.models.get(modelId);
    checkManifest(model);
    const session = await deps.sessions.get(model.path, device.session);
    const { manifest } = model;
    const checked = checkSignature('damage-detect', { inputs: session.inputs, outputs: session.outputs }, model.path);
    if (checked.inputName !== manifest.input.name || checked.outputName !== manifest.output.name) {
      throw new HeirloomError('MODEL_INVALID', `The damage detector ${model.path} does not match its manifest (it reads ${checked.inputName} and writes ${checked.outputName}; the manifest says ${manifest.input.name} and ${manifest.output.name}). Reinstall the model.`, { file: model.path });
    }
    const run: Runner = async (input, dims) => {
      const result = await session.run({ [manifest.input.name]: { data: input, dims } });
      const out = result[manifest.output.name];
      if (!out) throw new HeirloomError('INFERENCE_FAILED', `Model ${manifest.id} produced no output named ${manifest.output.name}. Reinstall the model.`);
      return out.data;
    };
    return new DamageDetector(manifest, run, device, await openFaceDetector(deps, device));
  }

  /** The damage mask of a photo: the network's marks, less those on the photo's own outlines, in its texture and on faces' features. */
  async detect(source: PixelSource, options: DetectOptions = {}): Promise<DamageMask> {
    const { width, height } = source;
    const marked = await this.runNetwork(source, options);
    if (options.raw) return { width, height, mask: marked, fraction: share(marked), outlinePixels: 0, texturePixels: 0, faceFeaturePixels: 0, faces: 0 };
    // Labelled once; each filter drops whole marks and passes the rest on.
    const outlines = await dropStepEdges(source, marksOf(marked, width, height));
    const texture = dropOrdinaryMarks(source, outlines.marks);
    // Faces matter only where something is still marked: an undamaged photo skips the face detector.
    const faces = this.faces && texture.marks.components.length > 0 ? await this.faces.detect(source, options.signal) : [];
    const features = protectFaceFeatures(texture.marks, width, height, faces);
    return {
      width,
      height,
      mask: features.mask,
      fraction: share(features.mask),
      outlinePixels: outlines.droppedPixels,
      texturePixels: texture.droppedPixels,
      faceFeaturePixels: features.protectedPixels,
      faces: faces.length,
    };
  }

  private async runNetwork(source: PixelSource, options: DetectOptions): Promise<Uint8Array> {
    const attempt = { tileSize: DAMAGE_TILE, batchCap: Infinity, lastBatch: 1 };
    for (;;) {
      try {
        return await this.detectAt(source, attempt, options);
      } catch (error) {
        if (!isOutOfMemoryError(error)) throw error;
        // The engine's back-off: halve the batch, then the tile; the photo is not given up before the floor.
        if (attempt.lastBatch > 1) attempt.batchCap = Math.floor(attempt.lastBatch / 2);
        else if (attempt.tileSize / 2 >= TILE_FLOOR) attempt.tileSize = Math.floor(attempt.tileSize / 2);
        else throw new HeirloomError('OUT_OF_MEMORY', `Finding damage ran out of memory even at batch 1 and tile ${attempt.tileSize}. Close other programs or restore on another device.`, { cause: error });
      }
    }
  }

  private async detectAt(source: PixelSource, attempt: { tileSize: number; batchCap: number; lastBatch: number }, options: DetectOptions): Promise<Uint8Array> {
    const { width, height } = source;
    const { tileSize } = attempt;
    const multiple = this.manifest.sizeMultiple ?? 1;
    const plan = planTiles(width, height, tileSize, this.manifest.tileOverlap);
    const dims = paddedDims(plan, multiple);
    const free = await this.device.freeBytes();
    const recommended = planBatch({
      freeBytes: free,
      budget: this.device.budget,
      estimateFor: () => estimateBatchMemory(this.manifest, dims.width * dims.height, this.device.precision, 1),
      tileCandidates: [tileSize],
      maxBatch: this.device.maxBatch,
    }).batchSize;
    const batchSize = Math.max(1, Math.min(recommended, attempt.batchCap, plan.tiles.length));
    attempt.lastBatch = batchSize;
    const threshold = options.threshold ?? DAMAGE_THRESHOLD;
    const mask = new Uint8Array(width * height);
    const item = 3 * dims.width * dims.height;
    let done = 0;
    for (let start = 0; start < plan.tiles.length; start += batchSize) {
      if (options.signal?.aborted) throw new HeirloomError('CANCELLED', 'Finding damage was cancelled.');
      const batch = plan.tiles.slice(start, start + batchSize);
      const input = new Float32Array(item * batch.length);
      batch.forEach((tile, i) => cutTile(source, plan, tile, dims, input, i * item));
      const output = await this.run(input, [batch.length, 3, dims.height, dims.width]);
      const plane = dims.width * dims.height;
      batch.forEach((tile, i) => writeOwned(output, i * plane, dims.width, plan, tile, mask, width, threshold));
      done += batch.length;
      options.onProgress?.({ tile: done, tiles: plan.tiles.length, batchSize: batch.length, recommendedBatch: recommended, tileSize: plan.coreWidth });
    }
    return mask;
  }
}

/** The bundled face detector on the detector's device, or none when it is not installed (the repair still runs). */
async function openFaceDetector(deps: { models: ModelRegistry; sessions: SessionPool }, device: DetectorDevice): Promise<FaceDetector | null> {
  const model = findFaceDetectorModel(await deps.models.list());
  if (!model) return null;
  const session = await deps.sessions.get(model.path, device.session);
  return new YuNetDetector(session, { inputName: model.manifest.input.name });
}

function share(mask: Uint8Array): number {
  let marked = 0;
  for (let i = 0; i < mask.length; i++) marked += mask[i]!;
  return marked / mask.length;
}

/** The network's input shape for this plan: the padded tile, rounded up to the size multiple. */
function paddedDims(plan: TilePlan, multiple: number): { width: number; height: number } {
  const up = (n: number) => Math.ceil(n / multiple) * multiple;
  return { width: up(plan.coreWidth + 2 * plan.pad), height: up(plan.coreHeight + 2 * plan.pad) };
}

/** Planar float RGB (0..1) of one tile with its context, mirrored past the photo's border (and past its own, for the rounding). */
function cutTile(source: PixelSource, plan: TilePlan, tile: Tile, dims: { width: number; height: number }, target: Float32Array, offset: number): void {
  const { width: w, height: h } = dims;
  const plane = w * h;
  const scale = 1 / source.maxValue;
  const gray = source.stride < 3;
  const xs = new Int32Array(w);
  for (let x = 0; x < w; x++) xs[x] = reflectIndex(tile.core.x - plan.pad + x, source.width) * source.stride;
  for (let y = 0; y < h; y++) {
    const row = reflectIndex(tile.core.y - plan.pad + y, source.height) * source.width * source.stride;
    const out = offset + y * w;
    for (let x = 0; x < w; x++) {
      const s = row + xs[x]!;
      const r = source.data[s]! * scale;
      target[out + x] = r;
      target[out + plane + x] = gray ? r : source.data[s + 1]! * scale;
      target[out + 2 * plane + x] = gray ? r : source.data[s + 2]! * scale;
    }
  }
}

function writeOwned(output: Float32Array, offset: number, outWidth: number, plan: TilePlan, tile: Tile, mask: Uint8Array, width: number, threshold: number): void {
  const x0 = tile.owned.x - tile.core.x + plan.pad;
  const y0 = tile.owned.y - tile.core.y + plan.pad;
  for (let y = 0; y < tile.owned.height; y++) {
    const s = offset + (y0 + y) * outWidth + x0;
    const d = (tile.owned.y + y) * width + tile.owned.x;
    for (let x = 0; x < tile.owned.width; x++) mask[d + x] = output[s + x]! > threshold ? 1 : 0;
  }
}

function checkManifest(model: InstalledModel): void {
  const { manifest } = model;
  if (manifest.task !== 'damage-detect') {
    throw new HeirloomError('MODEL_INVALID', `Model ${manifest.id} is a ${manifest.task} model, not a damage detector. Reinstall Heirloom's damage model (${DEFAULT_DAMAGE_MODEL_ID}).`, { file: model.path });
  }
  if (manifest.scale !== 1) throw new HeirloomError('MODEL_INVALID', `The damage detector ${manifest.id} must keep the photo's size (scale 1), its manifest says ${manifest.scale}.`, { file: model.path });
}
