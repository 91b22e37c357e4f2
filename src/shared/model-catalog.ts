import { z } from 'zod';
import { FaceTemplateSchema, ModelManifestSchema, ModelTaskSchema, ValueRangeSchema } from './model-manifest.js';

/**
 * The catalog of well-known models Heirloom can download (models/catalog.json): data, not
 * code. Each entry says where the public ONNX export lives and how to check it. A sha256 or
 * size is only filled in where a public listing could be checked; otherwise it is null and
 * the entry says `"unverified": true`, and the downloader refuses it unless the user passes
 * --trust-unverified. Input and output names are read from the file itself at install time.
 */
const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits');

export const CatalogEntrySchema = z
  .object({
    id: ModelManifestSchema.shape.id,
    name: z.string().min(1),
    task: ModelTaskSchema,
    scale: z.number().int().min(1).max(8),
    url: z.url({ protocol: /^https?$/ }),
    /** Other hosts of the same file, tried in order when the first cannot be reached. */
    mirrors: z.array(z.url({ protocol: /^https?$/ })).default([]),
    sizeBytes: z.number().int().positive().nullable(),
    sha256: Sha256Schema.nullable(),
    unverified: z.boolean().default(false),
    input: z.object({
      channels: z.enum(['RGB', 'BGR']),
      range: ValueRangeSchema,
      size: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
    }),
    output: z.object({ range: ValueRangeSchema }),
    tileOverlap: z.number().int().nonnegative().default(0),
    weightsPrecision: z.enum(['fp32', 'fp16']),
    extraInputs: ModelManifestSchema.shape.extraInputs,
    /** Face models: where the landmarks go in the crop (copied into the installed manifest). */
    template: FaceTemplateSchema.optional(),
    licence: z.object({ name: z.string().min(1), url: z.url() }),
    /** Where the URL, size and checksum were checked, for the next person to re-check. */
    verification: z.string().min(1),
  })
  .refine((e) => e.sha256 !== null || e.unverified, { message: 'an entry without a sha256 must say "unverified": true', path: ['unverified'] })
  .refine((e) => e.task !== 'face-restore' || e.input.size !== undefined, { message: 'face-restore entries need input.size', path: ['input', 'size'] })
  .refine((e) => e.task === 'face-restore' || e.template === undefined, { message: 'only face-restore entries have an alignment template', path: ['template'] });

export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

export const ModelCatalogSchema = z
  .object({
    version: z.literal(1),
    models: z.array(CatalogEntrySchema),
  })
  .refine((c) => new Set(c.models.map((m) => m.id)).size === c.models.length, { message: 'model ids must be unique', path: ['models'] });

export type ModelCatalog = z.infer<typeof ModelCatalogSchema>;
