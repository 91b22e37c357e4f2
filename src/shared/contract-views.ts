/**
 * The data the contract returns: plain, serialisable shapes (structured clone over IPC,
 * JSON over the serve bridge). No functions, no class instances, no Dates.
 */
import type { ErrorInfo } from './errors.js';
import type { MemoryReading, ProgressEvent, Stage } from './events.js';
import type { ModelTask } from './model-manifest.js';
import type { JobSettings } from './job-settings.js';
import type { WatchFolder } from './watch.js';

export type HostKind = 'electron' | 'browser';

/** What the host can do; the UI hides what it cannot (e.g. file dialogs in a browser). */
export interface HostCapabilities {
  /** Native open-file / choose-folder dialogs (Electron only). */
  dialogs: boolean;
  /** Open an output or reveal it in its folder (Electron only). */
  shell: boolean;
  /** Dropped or picked files are uploaded into an inbox folder (serve only). */
  uploads: boolean;
  /** Device discovery and per-device settings are wired. */
  devices: boolean;
  /** Watch folders are wired. */
  watch: boolean;
}

export interface AppInfo {
  version: string;
  host: HostKind;
  /** The data directory (history, settings, installed models). */
  home: string;
  /** Where restored photos go unless the user picks a folder. */
  defaultOutputDir: string;
  capabilities: HostCapabilities;
  /** What happened at start-up that the user must know, one sentence each (a damaged history database replaced from its backup). */
  notices?: string[];
}

/**
 * A photo the page may show. The URLs are capability URLs minted by the host for files the
 * studio knows (queued, restored, in the history); the page never gets file-system access.
 */
export interface PhotoRef {
  path: string;
  name: string;
  /** Small preview (fits 256 px). */
  thumbnailUrl: string;
  /** The whole image in a format the browser shows. */
  imageUrl: string;
}

export interface PhotoError {
  code: string;
  message: string;
  cause?: string;
}

/** An entry of files:inspect: a photo ready to queue, or a path that cannot be used and why. */
/**
 * A folder added whole: it holds more photos than the draft shows one by one. The job
 * lists it as it goes; a photo in it that cannot be read fails alone then.
 */
export interface InspectedFolder {
  ok: true;
  kind: 'folder';
  path: string;
  name: string;
  /** Photos found in it and its subfolders. */
  photos: number;
  /** The first few, to show. */
  previews: PhotoRef[];
}

export type InspectedPath = ({ ok: true; kind?: 'photo' } & PhotoRef) | InspectedFolder | { ok: false; path: string; name: string; error: PhotoError };

/** 'failed': the job could not run, or none of its photos could be restored; 'finished-with-errors': some could. */
export type QueueItemState = 'queued' | 'running' | 'paused' | 'finished' | 'finished-with-errors' | 'cancelled' | 'failed' | 'interrupted';
export type QueueFileStatus = 'queued' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';

export interface RestoredOutput extends PhotoRef {
  width: number;
  height: number;
  /** The repair's damage mask (`<name>.mask.png` beside the output, at the photo's own size), when the job saved masks. */
  mask?: PhotoRef;
}

export interface QueueFile extends PhotoRef {
  status: QueueFileStatus;
  /** The last stage reported for this photo. */
  stage: Stage;
  /** 0..1 for this photo. */
  value: number;
  tile: number;
  tiles: number;
  output?: RestoredOutput;
  ms?: number;
  error?: PhotoError;
  notes?: string[];
}

/** The settings a job runs with, as the user chose them (absent = default / auto): the job settings record and its output folder. */
export interface JobSettingsView extends JobSettings {
  outDir: string;
}

export interface JobSummaryView {
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: boolean;
  ms: number;
}

/** A queued job's photos by status, every one counted (listed in the view or not). */
export interface QueuePhotoCounts extends Record<QueueFileStatus, number> {
  total: number;
}

export interface QueueItem {
  /** Queue ticket; the history's job id arrives with job-started. */
  id: string;
  jobId?: string;
  state: QueueItemState;
  settings: JobSettingsView;
  /**
   * The photos listed, in the job's order: all of them for up to 100; for a bigger job the
   * running ones and up to 20 each of the latest finished, the latest failed and the next
   * waiting (`photos` counts them all; History lists every photo).
   */
  files: QueueFile[];
  photos: QueuePhotoCounts;
  model?: string;
  device?: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** The latest progress event of this job (what the device panel shows after a reload). */
  progress?: ProgressEvent;
  /** The whole job's remaining time, when it can be estimated. */
  etaMs?: number;
  /** Set when the job could not run at all (unknown model, output folder not writable...). */
  error?: ErrorInfo;
  warnings: string[];
  summary?: JobSummaryView;
  cancelRequested: boolean;
  /** While the job's inputs are still being listed: photos found so far ("N+ photos"); `done` once the total is known. */
  listing?: { files: number; done: boolean };
}

/** What the scheduler is using on one device, from the latest progress event there. */
export interface DeviceReading {
  device: string;
  batchSize: number;
  recommendedBatch: number;
  tileSize: number;
  memory?: MemoryReading;
  at: number;
}

export interface QueueSnapshot {
  paused: boolean;
  items: QueueItem[];
  /** Latest reading per device id. */
  devices: Record<string, DeviceReading>;
}

/**
 * 'queued': waiting in the studio's queue (recorded before it is shown, so a restart keeps it);
 * 'finished-with-errors' / 'failed': some / all of its photos failed (see jobOutcome).
 */
export type HistoryJobStatus = 'queued' | 'running' | 'finished' | 'finished-with-errors' | 'failed' | 'cancelled' | 'interrupted';

export interface HistoryFile {
  position: number;
  input: PhotoRef;
  output?: PhotoRef;
  /** The repair's damage mask beside the output, when the job saved masks. */
  mask?: PhotoRef;
  status: QueueFileStatus;
  errorCode: string | null;
  errorMessage: string | null;
  width: number | null;
  height: number | null;
  ms: number | null;
  /** Where it ran: the farm worker's name (farm jobs). */
  ranOn?: string;
}

export interface HistoryJob {
  id: string;
  kind: string;
  status: HistoryJobStatus;
  settings: Record<string, unknown>;
  modelId: string;
  deviceId: string;
  createdAt: number;
  finishedAt: number | null;
  succeeded: number;
  failed: number;
  skipped: number;
  ms: number | null;
  /** Its inputs were not all listed yet (stopped while listing a huge folder): `files` is what was reached, Resume lists the rest. */
  listing?: boolean;
  /** Its photos in order: the first `filesPerJob` asked for (jobs:history-files pages through the rest). */
  files: HistoryFile[];
  /** How many photos it has, listed in `files` or not. */
  fileCount: number;
}

export interface ModelSummary {
  id: string;
  name: string;
  task: ModelTask;
  scale: number;
  sizeBytes: number;
  /** bundled, downloaded, imported, converted... (the manifest's source). */
  source: string;
  licence: string;
  /** False for a model shipped in the app's models/ folder: only the user's own can be removed. */
  removable: boolean;
}

/** A model of the download catalog (models/catalog.json), and whether it is installed. */
export interface CatalogModelView {
  id: string;
  name: string;
  task: ModelTask;
  scale: number;
  /** Null where no public listing gave the size (the server's Content-Length is used). */
  sizeBytes: number | null;
  licence: string;
  licenceUrl: string;
  /** No published checksum: installing it needs the user's explicit trust. */
  unverified: boolean;
  installed: boolean;
}

export type ModelDownloadState = 'downloading' | 'installed' | 'failed' | 'cancelled';

/** One download of the studio's (models:download events carry it, throttled). */
export interface ModelDownloadView {
  id: string;
  name: string;
  state: ModelDownloadState;
  receivedBytes: number;
  /** Null until (or unless) the server says the size. */
  totalBytes: number | null;
  /** Bytes a second over the last few seconds (0 before there is a measure). */
  bytesPerSecond: number;
  /** Bytes already on disk from an earlier, interrupted download of the same file. */
  resumedFrom: number;
  error?: ErrorInfo;
}

/** The Models screen: what is installed, what the catalog offers, and the downloads of this run. */
export interface ModelsOverview {
  installed: ModelSummary[];
  catalog: CatalogModelView[];
  downloads: ModelDownloadView[];
  /** Set when the catalog could not be read (the installed list is still right). */
  catalogError?: ErrorInfo;
}

/** One thing that happened in a watch folder (shown as "last events"). */
export interface WatchActivity {
  folderId: string;
  at: number;
  kind: string;
  file?: string;
  output?: string;
  message: string;
}

export interface WatchFolderView extends WatchFolder {
  recent: WatchActivity[];
}

export interface JobTicket {
  queueId: string;
  files: number;
}
