import { z } from 'zod';
import { FormatChoiceSchema } from './settings.js';

/** What a watch folder does with each new photo. */
export const WatchPresetSchema = z.object({
  modelId: z.string().min(1),
  scale: z.number().int().min(1).max(8).optional(),
  faces: z.boolean().default(false),
  format: FormatChoiceSchema.default('keep'),
});
export type WatchPreset = z.infer<typeof WatchPresetSchema>;

export interface WatchFolder {
  id: string;
  path: string;
  outDir: string;
  preset: WatchPreset;
  paused: boolean;
  /** present | missing (unplugged drive) | error */
  state: 'watching' | 'paused' | 'missing' | 'error';
  createdAt: number;
}
