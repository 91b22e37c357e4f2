/**
 * The one typed contract between the studio UI and its host (Electron main over IPC, or
 * `heirloom serve` over a WebSocket). Every invoke channel has a request schema that the
 * host parses before calling core, and a response type; every event channel has a payload
 * type. Main's handler registration, the preload, the serve bridge and the renderer's
 * client are all typed from these maps, so a channel cannot drift between them.
 */
import { z } from 'zod';
import type { EVENT_METHODS, INVOKE_METHODS, EventChannel, InvokeChannel } from './contract-channels.js';
import type {
  AppInfo,
  HistoryFile,
  HistoryJob,
  InspectedPath,
  JobTicket,
  ModelDownloadView,
  ModelSummary,
  ModelsOverview,
  QueueItemState,
  QueueSnapshot,
  WatchActivity,
  WatchFolderView,
} from './contract-views.js';
import { DeviceSettingsSchema, type DeviceWithSettings } from './devices.js';
import type { ErrorInfo } from './errors.js';
import type { RestoreEvent } from './events.js';
import type { Result } from './result.js';
import { FormatChoiceSchema, type AppSettings } from './settings.js';
import { JobSettingsSchema } from './job-settings.js';
import { WatchPresetSchema } from './watch.js';
import type { FarmStatus, FarmView } from './farm.js';

export * from './contract-channels.js';
export type * from './contract-views.js';

// ---- Building blocks ------------------------------------------------------------------

/** A file-system path as the user gave it: bounded, no NUL (which would truncate it in C APIs). */
/** Photos and folders one studio job names at most (a folder counts once, however many photos it holds). */
export const MAX_JOB_INPUTS = 10_000;

export const PathSchema = z
  .string()
  .min(1, 'a path is required')
  .max(4096, 'a path is at most 4096 characters')
  .refine((s) => !s.includes('\0'), 'a path cannot contain NUL characters');

/** Ids minted by Heirloom (queue tickets, job ids, watch folder ids, device ids). */
export const IdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@ -]*$/, 'letters, digits, ".", "_", ":", "@", "-" and spaces');

export const ModelIdSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'a model id (see "heirloom models")');

const Empty = z.strictObject({});

// ---- Request schemas ------------------------------------------------------------------

/** A job from the studio: photos, an output folder (absent: the app's), and the job settings record. */
export const JobStartRequestSchema = JobSettingsSchema.omit({ maxPixels: true, stripMetadata: true, overwrite: true, provider: true, threads: true, maskFile: true })
  .extend({
    inputs: z.array(PathSchema).min(1, 'add at least one photo').max(MAX_JOB_INPUTS),
    /** Absent: the output folder from app settings. */
    outDir: PathSchema.optional(),
    modelId: ModelIdSchema.optional(),
    deviceId: IdSchema.optional(),
    /** Send the job to the farm set in Settings instead of restoring on this computer. */
    farm: z.boolean().optional(),
  })
  .strict();
export type JobStartRequest = z.infer<typeof JobStartRequestSchema>;

/** "Repair again": one photo of a finished job, with the damage mask the user edited (a PNG, base64, white = damage). */
export const RepairAgainRequestSchema = z.strictObject({
  jobId: IdSchema,
  input: PathSchema,
  maskPng: z
    .string()
    .min(1)
    .max(64 * 1024 * 1024, 'the edited mask is too large (64 MB at most)')
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'the edited mask must be a base64 PNG'),
});
export type RepairAgainRequest = z.infer<typeof RepairAgainRequestSchema>;

export const QueueIdRequestSchema = z.strictObject({ queueId: IdSchema });
export const JobIdRequestSchema = z.strictObject({ jobId: IdSchema });

export const HistoryRequestSchema = z.strictObject({
  limit: z.number().int().min(1).max(500).optional(),
  /** Each job with only its first photos (fileCount says how many it has); all of them when absent. */
  filesPerJob: z.number().int().min(1).max(1000).optional(),
  status: z.enum(['queued', 'running', 'finished', 'finished-with-errors', 'failed', 'cancelled', 'interrupted']).optional(),
});

/** A page of one job's photos: at most `limit` from position `from` on. */
export const HistoryFilesRequestSchema = z.strictObject({ jobId: IdSchema, from: z.number().int().min(0), limit: z.number().int().min(1).max(1000) });

export const DeviceIdRequestSchema = z.strictObject({ deviceId: IdSchema });

export const DeviceSettingsPatchSchema = z.strictObject({
  deviceId: IdSchema,
  settings: DeviceSettingsSchema.partial().strict(),
});
export type DeviceSettingsPatch = z.infer<typeof DeviceSettingsPatchSchema>;

/** Only the fields given change; `outputDir: null` goes back to the default folder. */
export const AppSettingsPatchSchema = z.strictObject({
  outputDir: PathSchema.nullable().optional(),
  format: FormatChoiceSchema.optional(),
  quality: z.number().int().min(1).max(100).nullable().optional(),
  keepMetadata: z.boolean().optional(),
  modelId: ModelIdSchema.nullable().optional(),
  maxPixels: z.number().int().positive().max(4_000_000_000).optional(),
});
export type AppSettingsPatch = z.infer<typeof AppSettingsPatchSchema>;

export const WatchAddRequestSchema = z.strictObject({
  path: PathSchema,
  outDir: PathSchema,
  preset: WatchPresetSchema.strict(),
});
export type WatchAddRequest = z.infer<typeof WatchAddRequestSchema>;

export const WatchIdRequestSchema = z.strictObject({ id: IdSchema });

export const InspectRequestSchema = z.strictObject({ paths: z.array(PathSchema).min(1).max(1000) });

export const OpenPhotosRequestSchema = z.strictObject({ mode: z.enum(['files', 'folder']) });

export const ChooseFolderRequestSchema = z.strictObject({
  title: z.string().max(200).optional(),
  defaultPath: PathSchema.optional(),
});

export const OpenPathRequestSchema = z.strictObject({ path: PathSchema, action: z.enum(['open', 'reveal']) });

/** The studio's Farm setting: a redis:// or rediss:// URL (checked by the host), or null to restore here only. */
export const FarmSetRequestSchema = z.strictObject({ url: z.string().min(1).max(2000).nullable() });

/** A catalog model to download; `trustUnverified` when the user accepted one without a published checksum. */
export const ModelDownloadRequestSchema = z.strictObject({ id: ModelIdSchema, trustUnverified: z.boolean().optional() });

export const ModelIdRequestSchema = z.strictObject({ id: ModelIdSchema });

/** `heirloom models import` from the studio: one .onnx file, or an NCNN .param and .bin pair (checked by the model manager). */
export const ModelImportRequestSchema = z.strictObject({
  paths: z.array(PathSchema).min(1, 'choose a model file').max(2, 'one .onnx file, or a .param and a .bin file'),
  id: ModelIdSchema.optional(),
  name: z.string().min(1).max(200).optional(),
  overwrite: z.boolean().optional(),
});
export type ModelImportRequest = z.infer<typeof ModelImportRequestSchema>;

// ---- The invoke map -------------------------------------------------------------------

/** One invoke channel: its request schema, and its response type (carried as a type only). */
export interface InvokeSpec<Request extends z.ZodType, Response> {
  readonly request: Request;
  /** Never set: it only carries the response type. */
  readonly response?: Response;
}

const returns =
  <Response>() =>
  <Request extends z.ZodType>(request: Request): InvokeSpec<Request, Response> => ({ request });

export const INVOKE = {
  'app:info': returns<AppInfo>()(Empty),
  'jobs:start': returns<JobTicket>()(JobStartRequestSchema),
  'jobs:cancel': returns<{ state: QueueItemState }>()(QueueIdRequestSchema),
  'jobs:pause': returns<QueueSnapshot>()(Empty),
  'jobs:resume': returns<QueueSnapshot>()(Empty),
  'jobs:queue': returns<QueueSnapshot>()(Empty),
  'jobs:clear-finished': returns<QueueSnapshot>()(Empty),
  'jobs:history': returns<HistoryJob[]>()(HistoryRequestSchema),
  'jobs:history-files': returns<HistoryFile[]>()(HistoryFilesRequestSchema),
  'jobs:rerun': returns<JobTicket>()(JobIdRequestSchema),
  /** Continues an interrupted, cancelled or partly failed job with its own settings (finished photos kept). */
  'jobs:continue': returns<JobTicket>()(JobIdRequestSchema),
  /** Re-runs one photo of a job with its settings and an edited damage mask; the new output goes beside the earlier one. */
  'jobs:repair-again': returns<JobTicket>()(RepairAgainRequestSchema),
  'models:list': returns<ModelSummary[]>()(Empty),
  'models:overview': returns<ModelsOverview>()(Empty),
  /** Starts a download in the background (progress comes as models:download events); resolves at once. */
  'models:download': returns<ModelDownloadView>()(ModelDownloadRequestSchema),
  /** Stops a download; nothing is installed (the partial file is kept, so downloading again resumes it). */
  'models:cancel-download': returns<ModelDownloadView>()(ModelIdRequestSchema),
  'models:import': returns<ModelSummary>()(ModelImportRequestSchema),
  /** Removes a downloaded or imported model; a bundled one is refused. */
  'models:remove': returns<ModelSummary[]>()(ModelIdRequestSchema),
  'devices:list': returns<DeviceWithSettings[]>()(Empty),
  'settings:get': returns<DeviceWithSettings>()(DeviceIdRequestSchema),
  'settings:set': returns<DeviceWithSettings>()(DeviceSettingsPatchSchema),
  'app-settings:get': returns<AppSettings>()(Empty),
  'app-settings:set': returns<AppSettings>()(AppSettingsPatchSchema),
  'watch:list': returns<WatchFolderView[]>()(Empty),
  'watch:add': returns<WatchFolderView[]>()(WatchAddRequestSchema),
  'watch:pause': returns<WatchFolderView[]>()(WatchIdRequestSchema),
  'watch:resume': returns<WatchFolderView[]>()(WatchIdRequestSchema),
  'watch:remove': returns<WatchFolderView[]>()(WatchIdRequestSchema),
  'files:inspect': returns<InspectedPath[]>()(InspectRequestSchema),
  'dialogs:open-photos': returns<{ paths: string[] }>()(OpenPhotosRequestSchema),
  'dialogs:choose-folder': returns<{ path: string | null }>()(ChooseFolderRequestSchema),
  'dialogs:open-model-files': returns<{ paths: string[] }>()(Empty),
  'shell:open-path': returns<null>()(OpenPathRequestSchema),
  'farm:get': returns<FarmView>()(Empty),
  'farm:set': returns<FarmView>()(FarmSetRequestSchema),
  'farm:status': returns<FarmStatus | null>()(Empty),
} as const satisfies { [C in InvokeChannel]: InvokeSpec<z.ZodType, unknown> };

// The channel list without zod (contract-channels.ts) must name exactly these channels.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : never;
const _invokeNamesAgree: SameKeys<typeof INVOKE, typeof INVOKE_METHODS> = true;
void _invokeNamesAgree;

/** What a caller sends (defaults not yet applied). */
export type InvokeRequest<C extends InvokeChannel> = z.input<(typeof INVOKE)[C]['request']>;
/** What a handler receives, after the host parsed the payload. */
export type InvokeParsed<C extends InvokeChannel> = z.output<(typeof INVOKE)[C]['request']>;
export type InvokeResponse<C extends InvokeChannel> = (typeof INVOKE)[C] extends InvokeSpec<z.ZodType, infer R> ? R : never;

/** The host side: one function per invoke channel, taking the parsed request. */
export type InvokeHandlers = { [C in InvokeChannel]: (request: InvokeParsed<C>) => Promise<InvokeResponse<C>> };

// ---- The event map --------------------------------------------------------------------

export interface EventPayloads {
  /** The restore event stream (src/shared/events.ts), progress throttled to about 10 a second. */
  'jobs:event': RestoreEvent;
  /** The queue changed shape (added, started, a photo finished, paused...). Coalesced. */
  'jobs:queue-changed': QueueSnapshot;
  'devices:changed': DeviceWithSettings[];
  'watch:event': WatchActivity;
  /** A model download's progress (about 10 a second) and its end. */
  'models:download': ModelDownloadView;
  /** The installed models changed (a download finished, an import, a removal). */
  'models:changed': ModelSummary[];
}

const _eventNamesAgree: SameKeys<EventPayloads, typeof EVENT_METHODS> = true;
void _eventNamesAgree;

export type EventListener<E extends EventChannel> = (payload: EventPayloads[E]) => void;

// ---- The API the renderer sees as window.heirloom -------------------------------------

type InvokeMethod<C extends InvokeChannel> = Record<never, never> extends InvokeRequest<C>
  ? (request?: InvokeRequest<C>) => Promise<Result<InvokeResponse<C>>>
  : (request: InvokeRequest<C>) => Promise<Result<InvokeResponse<C>>>;

/** A dropped or picked file as the page sees it (a DOM File satisfies this). */
export interface DroppedFile {
  readonly name: string;
  readonly size: number;
}

/** What importFiles gives back: the paths core can read, and the files that could not be taken. */
export interface ImportedFiles {
  paths: string[];
  failed: Array<{ name: string; error: ErrorInfo }>;
}

/** What only the host can do, outside the channel maps. */
export interface HostApi {
  readonly host: 'electron' | 'browser';
  /**
   * Turns dropped / picked files into paths core can read: Electron knows their real
   * paths; the browser bridge uploads them into the serve run's inbox folder.
   */
  importFiles(files: readonly DroppedFile[]): Promise<ImportedFiles>;
}

export type HeirloomApi = { readonly [C in InvokeChannel as (typeof INVOKE_METHODS)[C]]: InvokeMethod<C> } & {
  readonly [E in EventChannel as (typeof EVENT_METHODS)[E]]: (listener: EventListener<E>) => () => void;
} & HostApi;

/** The API without its host part: what buildContractApi (contract-client.ts) builds over a transport. */
export type ContractApi = Omit<HeirloomApi, keyof HostApi>;
