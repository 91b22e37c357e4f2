import { z } from 'zod';
import { ProviderNameSchema } from './devices.js';
import type { RestoreEvent } from './events.js';
import { FormatChoiceSchema } from './settings.js';

/**
 * What a watch folder does with each new photo. modelId, scale, faces and format decide the
 * result (with the content hash: what "already restored" means); device, provider, tile,
 * batch and threads only decide where and how fast.
 */
export const WatchPresetSchema = z.object({
  modelId: z.string().min(1),
  scale: z.number().int().min(1).max(8).optional(),
  faces: z.boolean().default(false),
  format: FormatChoiceSchema.default('keep'),
  deviceId: z.string().min(1).optional(),
  provider: ProviderNameSchema.optional(),
  tile: z.union([z.number().int().min(0).max(8192), z.literal('auto')]).optional(),
  batch: z.union([z.number().int().min(1).max(64), z.literal('auto')]).optional(),
  threads: z.number().int().min(1).max(256).optional(),
});
export type WatchPreset = z.infer<typeof WatchPresetSchema>;

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
