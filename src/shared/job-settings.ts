import { z } from 'zod';
import { ProviderNameSchema } from './devices.js';
import { FormatChoiceSchema } from './settings.js';
import { FaceSettingsSchema } from './face-settings.js';

export { FaceSettingsSchema, type FaceSettings } from './face-settings.js';

/**
 * The one record of what a restore is asked to do. The CLI's options, the contract's
 * request, watch presets, the history (and so `resume`) and farm payloads all map to and
 * from this schema; a new stage adds its setting here and nowhere else in shared/.
 * Absent fields mean "the default" (or "auto"), so a record stays short and old records
 * stay valid as fields are added.
 */

/** `--model none`: no super-resolution network; the photo keeps its size. */
export const NO_UPSCALE_MODEL = 'none';

export const ModelChoiceSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'a model id (see "heirloom models") or "none"');

export const TileChoiceSchema = z.union([z.literal('auto'), z.number().int().min(0).max(8192)]);
export const BatchChoiceSchema = z.union([z.literal('auto'), z.number().int().min(1).max(64)]);

export const JobSettingsSchema = z.object({
  /** Super-resolution model id, or "none" (default: the bundled default model). */
  modelId: ModelChoiceSchema.optional(),
  scale: z.number().int().min(1).max(8).optional(),
  tile: TileChoiceSchema.optional(),
  batch: BatchChoiceSchema.optional(),
  deviceId: z.string().min(1).max(200).optional(),
  provider: ProviderNameSchema.optional(),
  threads: z.number().int().min(1).max(256).optional(),
  format: FormatChoiceSchema.optional(),
  quality: z.number().int().min(1).max(100).optional(),
  /** Leave EXIF, XMP, IPTC and the ICC profile out of the outputs. */
  stripMetadata: z.boolean().optional(),
  /** Replace an existing output of the same name (never the original). */
  overwrite: z.boolean().optional(),
  maxPixels: z.number().int().min(1).max(4_000_000_000).optional(),
  /** Restore faces (present, even empty, = on). */
  faces: FaceSettingsSchema.optional(),
  /** Find and repair scratches, cracks, dust and small tears. */
  scratches: z.boolean().optional(),
  /** Restore faded colour and tone. */
  fading: z.boolean().optional(),
  /**
   * With fading: restore at this strength (per cent) instead of the one measured, e.g. for a
   * greyscale scan of a faded print, which shows no colour to measure its fading by.
   */
  fadingStrength: z.number().int().min(1).max(100).optional(),
  /** Write each repair's damage mask beside the output as <name>.mask.png. */
  saveMasks: z.boolean().optional(),
  /** Restore faces when a face model is installed; without one, warn and run the rest (the "old photo" preset). */
  facesIfInstalled: z.boolean().optional(),
  /**
   * An edited damage mask (a grey PNG, white = damage) that the repair stage uses instead of
   * running the damage detector: "Repair again" in the studio, for a job of one photo.
   */
  maskFile: z.string().min(1).max(4096).optional(),
});
export type JobSettings = z.infer<typeof JobSettingsSchema>;

/** What the history keeps of a job: its settings, its inputs and its output folder. */
export const StoredJobSettingsSchema = JobSettingsSchema.extend({
  /** Absent in a few very old rows: then the job's file list stands for them. */
  inputs: z.array(z.string()).default([]),
  outDir: z.string().min(1),
  /**
   * The damage detector that found the job's masks, as it resolved ("<id>@<sha256 prefix>"):
   * "Repair again" finds an unsaved earlier mask again only with the very same weights.
   */
  damageModel: z.string().min(1).max(200).optional(),
  /** How fading was measured and restored (FADING_METHOD): "Repair again" rebuilds an earlier fading only by the same method. */
  fadingMethod: z.number().int().min(1).optional(),
});
export type StoredJobSettings = z.infer<typeof StoredJobSettingsSchema>;

/**
 * Reads a stored settings record (the database is a boundary too). Rows written by older
 * versions had the same field names; a field this version cannot read (a provider it no
 * longer knows, say) is dropped rather than losing the job, and listed in `dropped`.
 */
export function parseStoredSettings(raw: unknown): { settings: StoredJobSettings; dropped: string[] } | { error: string } {
  const first = StoredJobSettingsSchema.safeParse(raw);
  if (first.success) return { settings: first.data, dropped: [] };
  if (typeof raw !== 'object' || raw === null) return { error: 'the settings are not a record' };
  const bad = new Set(first.error.issues.map((issue) => String(issue.path[0])));
  if (bad.has('inputs') || bad.has('outDir')) return { error: first.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  const kept = Object.fromEntries(Object.entries(raw).filter(([key]) => !bad.has(key)));
  const second = StoredJobSettingsSchema.safeParse(kept);
  return second.success ? { settings: second.data, dropped: [...bad] } : { error: second.error.message };
}

/** The record without absent fields (JSON drops them anyway; this keeps comparisons exact). */
export function compactSettings<T extends Record<string, unknown>>(settings: T): Compact<T> {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as Compact<T>;
}

/** `T` with its undefined-valued fields made optional and absent (what exactOptionalPropertyTypes asks for). */
export type Compact<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> };

/** The fading strength (per cent) a record sets: none without fading, whose stage does not run. */
export function fadingStrengthSet(settings: Pick<JobSettings, 'fading' | 'fadingStrength'>): number | undefined {
  return settings.fading === true ? settings.fadingStrength : undefined;
}

/** Which stages a record switches on, in the order they run (for captions and notes). */
export function requestedStages(settings: JobSettings): string[] {
  return [
    ...(settings.scratches ? ['repair'] : []),
    ...(settings.fading ? ['fading'] : []),
    ...(settings.modelId === NO_UPSCALE_MODEL ? [] : ['upscale']),
    ...(settings.faces || settings.facesIfInstalled ? ['faces'] : []),
  ];
}

/** The "old photo" preset: repair damage and fading, upscale with the default model, and faces when a face model is installed. */
export const OLD_PHOTO_PRESET: Readonly<JobSettings> = { scratches: true, fading: true, facesIfInstalled: true };
