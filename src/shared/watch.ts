import { z } from 'zod';
import { FaceSettingsSchema, JobSettingsSchema, ModelChoiceSchema, type JobSettings } from './job-settings.js';
import type { RestoreEvent } from './events.js';
import { FormatChoiceSchema } from './settings.js';

/**
 * What a watch folder does with each new photo: the job settings record (job-settings.ts),
 * with a model always named. `faces` is also read as a plain switch (true = the default face
 * model), as presets were first stored.
 */
export const WatchPresetSchema = JobSettingsSchema.extend({
  modelId: ModelChoiceSchema,
  faces: z.union([z.boolean(), FaceSettingsSchema]).default(false),
  format: FormatChoiceSchema.default('keep'),
});
export type WatchPreset = z.infer<typeof WatchPresetSchema>;

/** A preset as the job settings record it stands for: `faces: true` is the default face model, `false` none. */
export function presetJobSettings(preset: WatchPreset): JobSettings {
  const { faces, ...settings } = preset;
  const faceSettings = faces === true ? {} : faces === false ? undefined : faces;
  return { ...settings, ...(faceSettings ? { faces: faceSettings } : {}) };
}

export type WatchState = 'watching' | 'paused' | 'missing' | 'error';

export interface WatchFolder {
  id: string;
  path: string;
  outDir: string;
  preset: WatchPreset;
  paused: boolean;
  /** present | missing (unplugged drive) | error */
  state: WatchState;
  /** Why the folder is missing or in error, for people. */
  message?: string;
  createdAt: number;
}

/** What happened in a watch folder, beyond the restore events of its jobs. */
export type WatchEventKind =
  /** Watching (started, resumed, or the folder came back). */
  | 'watching'
  | 'paused'
  /** The folder is gone (unplugged drive?); it is polled for and watched again when it returns. */
  | 'missing'
  /** A photo is complete and waits for the next job. */
  | 'queued'
  /** A photo already restored with this preset (a renamed or re-copied file): not restored again. */
  | 'skipped'
  /** Not a photo (by its name): left alone. */
  | 'ignored'
  /** Interrupted jobs of this folder continue, or unfinished work was recovered after a crash. */
  | 'recovered'
  /** The folder cannot be watched or its job failed to start; retried. */
  | 'error'
  | 'removed';

export interface WatchFolderEvent {
  type: 'watch';
  folderId: string;
  kind: WatchEventKind;
  at: number;
  message: string;
  file?: string;
  output?: string;
  code?: string;
  jobId?: string;
}

/** The watch service's event stream: its own events, and the restore events of its jobs tagged with their folder. */
export type WatchEvent = WatchFolderEvent | (RestoreEvent & { folderId: string });
