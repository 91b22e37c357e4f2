import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { z } from 'zod';
import type { Stage } from '../../shared/events.js';
import { sha256File } from '../fs/content-hash.js';
import { decodeImage, type DecodedImage } from '../imaging/codec.js';
import { encodeMaskPng, readMaskPng } from '../imaging/mask-png.js';
import { OutputCanvas } from '../inference/output-canvas.js';
import { planRegionTiles } from '../inference/region-tiles.js';
import type { Rect } from '../inference/tiler.js';
import { detectorIdentity, type DamageDetector } from '../repair/damage-detector.js';
import { FADING_METHOD, restoreFading } from '../repair/fading.js';
import { inpaint } from '../repair/inpaint.js';
import type { PhotoWork, PreparedPhoto } from '../scheduler/photo-work.js';
import { canvasRectToPhoto, changedRects, growRect, mergeRects, rectsArea, rectsOverlap } from './changed-region.js';
import { fadingNote, fadingOptionsOf } from './fading-stage.js';
import { maskPathFor } from './mask-path.js';
import { finishPhoto, preparePhoto, replanPhoto, type PhotoSettings } from './photo-pipeline.js';
import type { CanvasItem, CanvasStage } from './photo-stage.js';
import { formatShare } from './repair-stage.js';

/**
 * The earlier job's result of the photo that "Repair again" starts from, as the history
 * recorded it. It is not stored with a queued job: after a restart the stored-settings schema
 * leaves it out, and a Repair again still queued runs in full.
 */
export const EarlierRestoreSchema = z.object({
  /** Its output, which the new output is a copy of outside what the edit changed. */
  output: z.string().min(1),
  /** The output's sha256 recorded before it was moved into place: a different file now means it was edited. */
  outputSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** How it found its damage: an edited mask of its own, its saved mask, or the detector (or no repair at all). */
  scratches: z.boolean(),
  maskFile: z.string().min(1).optional(),
  saveMasks: z.boolean(),
  /** The detector's weights when it found the mask (detectorIdentity); absent in jobs from before it was recorded. */
  damageModel: z.string().min(1).optional(),
  /** The stages around the network it ran: the new job must run the same ones to reuse its pixels. */
  fading: z.boolean(),
  /** The fading strength it set (per cent); absent: the measured one. */
  fadingStrength: z.number().int().min(1).max(100).optional(),
  /** How it measured fading (FADING_METHOD); absent in jobs from before it was recorded. */
  fadingMethod: z.number().int().min(1).optional(),
  faces: z.boolean(),
});
export type EarlierRestore = z.infer<typeof EarlierRestoreSchema>;

export interface RepairAgainOptions {
  earlier: EarlierRestore;
  /** The edited mask (white = damage). */
  maskFile: string;
  /** The job's own switches (the same as the earlier job's, from its settings). */
  fading: boolean;
  /** Per cent; undefined: the measured strength. */
  fadingStrength: number | undefined;
  saveMasks: boolean;
  /** The damage detector, opened only when the earlier mask has to be found again. */
  openDetector: () => Promise<DamageDetector>;
}

/** Output formats whose decoded pixels are exactly the samples that were encoded. */
const LOSSLESS = new Set(['.png', '.tif', '.tiff']);

/** Edited and saved masks are repaired as they are (both are grown masks already), as the repair stage does. */
const AS_DRAWN = { grow: 0 };

/** Why the incremental path cannot be exact for this photo: it then runs in full, and says why. */
class RunInFull extends Error {}

/**
 * "Repair again" of one photo, recomputing only what the edited mask changes. The earlier
 * run's image before the network is rebuilt (original -> repair with its mask -> fading)
 * and so is the new one (repair with the edited mask -> fading with the earlier run's
 * measured parameters, so a re-measurement cannot shift every pixel). Only the rectangles
 * where they differ, grown by the network's context (the manifest's tile overlap), go
 * through the network again, through the same executor, tiles and devices as any restore;
 * the rest of the canvas is the earlier output's pixels. Faces the change touches are
 * restored again, the others kept. When this cannot be exact (the earlier output is gone,
 * edited, lossy, ...) the photo is restored in full like any job, and its notes say why.
 */
export function repairAgainWork(settings: PhotoSettings, options: RepairAgainOptions): PhotoWork {
  // Per photo: the canvas items to redo, or undefined when the photo runs in full.
  const redo = new Map<string, Map<string, ReadonlySet<string>> | undefined>();
  const rectsOf = new Map<string, Rect[]>();
  return {
    ...(settings.manifest ? { network: settings.manifest } : {}),
    tileSize: settings.tileSize,
    async prepare(file, onStage) {
      try {
        const prepared = await prepareIncremental(file, settings, options, onStage);
        redo.set(file, prepared.redo);
        rectsOf.set(file, prepared.rects);
        return prepared.photo;
      } catch (error) {
        if (!(error instanceof RunInFull)) throw error;
        redo.set(file, undefined);
        const photo = await preparePhoto(file, settings, onStage);
        photo.notes.unshift(`repaired again in full: ${error.message}`);
        return photo;
      }
    },
    replan(photo, tileSize) {
      const rects = rectsOf.get(photo.file);
      // The canvas keeps the earlier pixels; the new plan rewrites every changed rectangle whole.
      return rects ? { ...photo, plan: planRegionTiles(photo.image.width, photo.image.height, rects, tileSize, settings.manifest!.tileOverlap) } : replanPhoto(photo, tileSize, settings);
    },
    finish(photo, finishOptions) {
      const items = redo.get(photo.file);
      redo.delete(photo.file);
      rectsOf.delete(photo.file);
      if (!items) return finishPhoto(photo, settings, finishOptions);
      const stages = (settings.stages ?? []).map((stage) => (stage.on === 'canvas' ? onlyItems(stage, items.get(stage.name) ?? new Set()) : stage));
      return finishPhoto(photo, { ...settings, stages }, finishOptions);
    },
  };
}

function onlyItems(stage: CanvasStage, keys: ReadonlySet<string>): CanvasStage {
  return { ...stage, run: (photo, signal) => stage.run(photo, signal, keys) };
}

async function prepareIncremental(
  file: string,
  settings: PhotoSettings,
  options: RepairAgainOptions,
  onStage: (stage: Stage) => void,
): Promise<{ photo: PreparedPhoto; rects: Rect[]; redo: Map<string, ReadonlySet<string>> }> {
  const { earlier } = options;
  const manifest = settings.manifest;
  if (!manifest) throw new RunInFull('without an upscaler the repair is the whole restore');
  const canvasStages = (settings.stages ?? []).filter((s): s is CanvasStage => s.on === 'canvas');
  if (earlier.fading !== options.fading || earlier.faces !== canvasStages.some((s) => s.name === 'faces')) throw new RunInFull('the earlier job ran other stages');
  if (options.fading && earlier.fadingStrength !== options.fadingStrength) throw new RunInFull('the earlier job restored fading at another strength');
  if (options.fading && earlier.fadingMethod !== FADING_METHOD) {
    throw new RunInFull(earlier.fadingMethod === undefined ? 'the history does not say how the earlier job measured fading' : 'fading is measured differently since the earlier job');
  }
  if (canvasStages.some((s) => !s.items)) throw new RunInFull(`the ${canvasStages.find((s) => !s.items)!.name} stage cannot be redone in part`);
  if (!existsSync(earlier.output)) throw new RunInFull(`the earlier output ${earlier.output} is missing`);
  if (!LOSSLESS.has(extname(earlier.output).toLowerCase())) {
    // Decoding a JPEG or WebP and encoding it again would lose quality over the whole photo, and its pixels are not the ones the upscaler made.
    throw new RunInFull('the earlier output is in a lossy format');
  }
  if (!earlier.outputSha256) throw new RunInFull('the history has no fingerprint of the earlier output');
  if ((await sha256File(earlier.output)) !== earlier.outputSha256) throw new RunInFull('the earlier output was changed after it was written');

  const stageMs: Record<string, number> = {};
  let started = Date.now();
  const image = await decodeImage(file, { maxPixels: settings.maxPixels });
  const before = await decodeImage(earlier.output, { maxPixels: Number.MAX_SAFE_INTEGER });
  stageMs.decode = Date.now() - started;
  if (before.width !== image.width * settings.scale || before.height !== image.height * settings.scale || before.colorChannels !== image.colorChannels || before.bitDepth !== image.bitDepth) {
    throw new RunInFull('the earlier output has another size or sample format');
  }
  if (before.metadata.icc) throw new RunInFull('the earlier output carries a colour profile, so its decoded pixels may not be the samples it was written with');

  onStage('repairing');
  started = Date.now();
  const earlierRepaired = await repairAsBefore(image, earlier, options);
  const edited = await inpaint(image, await readMaskPng(options.maskFile, image.width, image.height), AS_DRAWN);
  stageMs.repair = Date.now() - started;
  const notes = [`damage repaired on ${formatShare(edited.grownMask.reduce((sum, v) => sum + v, 0) / edited.grownMask.length)} of the photo`];
  let oldImage: DecodedImage = earlierRepaired;
  let newImage: DecodedImage = edited.image;
  if (options.fading) {
    onStage('fading');
    started = Date.now();
    // Both images with the parameters measured on the earlier one, at the job's strength if it set one.
    const set = fadingOptionsOf(options);
    const restored = restoreFading(earlierRepaired, set);
    oldImage = restored.image;
    newImage = restoreFading(edited.image, { analysis: restored.analysis }).image;
    stageMs.fading = Date.now() - started;
    const note = fadingNote(restored.analysis, set.strength !== undefined);
    if (note) notes.push(note);
  }

  const { width, height } = image;
  const changed = changedRects(oldImage.pixels, newImage.pixels);
  let rects = mergeRects(changed.map((r) => growRect(r, manifest.tileOverlap, width, height)));
  const redo = new Map<string, ReadonlySet<string>>();
  for (const stage of canvasStages) {
    const chosen = await itemsToRedo(stage, oldImage, newImage, settings.scale, changed, rects);
    redo.set(stage.name, chosen.keys);
    rects = chosen.rects;
  }
  const plan = planRegionTiles(width, height, rects, settings.tileFor?.(width, height) ?? settings.tileSize, manifest.tileOverlap);
  const canvas = OutputCanvas.startingAs(plan, settings.scale, manifest.scale, before.pixels, before.colorChannels, before.bitDepth, { inPlace: true });
  const share = rectsArea(rects) / (width * height);
  notes.push(`repaired again in part: ${formatShare(share)} of the photo recomputed, the rest kept from ${earlier.output}`);
  const sidecars: PreparedPhoto['sidecars'] = options.saveMasks ? [{ suffix: '.mask.png', write: (path) => encodeMaskPng(edited.grownMask, width, height, path) }] : [];
  return { photo: { file, image: newImage, plan, canvas, stageMs, notes, sidecars }, rects, redo };
}

/**
 * The earlier run's repair, rebuilt: the edited mask it used, else the mask it saved (the
 * grown mask, repaired as it is, which is what growing the detector's mask repaired), else
 * the detector run again; or no repair at all.
 */
async function repairAsBefore(image: DecodedImage, earlier: EarlierRestore, options: RepairAgainOptions): Promise<DecodedImage> {
  if (!earlier.scratches) return image;
  const { width, height } = image;
  if (earlier.maskFile) {
    if (!existsSync(earlier.maskFile)) throw new RunInFull(`the mask the earlier job used (${earlier.maskFile}) is missing`);
    return (await inpaint(image, await readMaskPng(earlier.maskFile, width, height), AS_DRAWN)).image;
  }
  const saved = maskPathFor(earlier.output);
  if (earlier.saveMasks && existsSync(saved)) return (await inpaint(image, await readMaskPng(saved, width, height), AS_DRAWN)).image;
  // The mask is found again only with the weights that found it (other weights find another
  // mask, and the recomputed regions would miss where the two differ). Unknown weights (a farm
  // job's, whose detector ran on a worker, or an older job's) may differ too: known before any
  // detector is opened.
  if (!earlier.damageModel) throw new RunInFull('the earlier mask was not saved and the history does not say which damage detector found it');
  let detector: DamageDetector;
  try {
    detector = await options.openDetector();
  } catch (error) {
    throw new RunInFull(`the damage detector that found the earlier mask cannot be opened (${(error as Error).message.split('\n')[0]})`);
  }
  const today = detectorIdentity(detector.manifest);
  if (earlier.damageModel !== today) throw new RunInFull(`the earlier mask was not saved and the damage detector changed since (${earlier.damageModel}, now ${today})`);
  return (await inpaint(image, (await detector.detect(image.pixels)).mask)).image;
}

/**
 * Which items of a canvas stage (faces) to redo: those that are new or moved, that read
 * changed pixels, or whose paste lands on recomputed pixels (their base is the network's
 * output again); and the pixels under items that vanished or are redone are recomputed
 * too, until nothing more is touched. Returns the keys and the grown rectangles.
 */
async function itemsToRedo(stage: CanvasStage, oldImage: DecodedImage, newImage: DecodedImage, scale: number, changed: readonly Rect[], rects: Rect[]): Promise<{ keys: Set<string>; rects: Rect[] }> {
  const [then, now] = [await stage.items!(oldImage, scale), await stage.items!(newImage, scale)];
  const before = new Set(then.map((i) => i.key));
  const after = new Set(now.map((i) => i.key));
  const keys = new Set<string>();
  const under = (item: CanvasItem) => (item.writes ? [canvasRectToPhoto(item.writes, scale)] : []);
  for (const item of now) if (!before.has(item.key) || (item.reads && changed.some((r) => rectsOverlap(r, item.reads!)))) keys.add(item.key);
  let grown = mergeRects([...rects, ...then.filter((i) => !after.has(i.key)).flatMap(under)]);
  for (let more = true; more; ) {
    more = false;
    grown = mergeRects([...grown, ...now.filter((i) => keys.has(i.key)).flatMap(under)]);
    for (const item of now) {
      if (keys.has(item.key) || !under(item).some((u) => grown.some((r) => rectsOverlap(r, u)))) continue;
      keys.add(item.key);
      more = true;
    }
  }
  return { keys, rects: grown };
}
