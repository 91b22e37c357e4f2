import { z } from 'zod';

export const FormatChoiceSchema = z.enum(['keep', 'png', 'jpeg', 'webp', 'tiff']);
export type FormatChoiceName = z.infer<typeof FormatChoiceSchema>;

/** App-wide settings (not per device). */
export const AppSettingsSchema = z.object({
  outputDir: z.string().optional(),
  format: FormatChoiceSchema.default('keep'),
  quality: z.number().int().min(1).max(100).optional(),
  keepMetadata: z.boolean().default(true),
  modelId: z.string().optional(),
  maxPixels: z.number().int().positive().default(200_000_000),
});
export type AppSettings = z.infer<typeof AppSettingsSchema>;
