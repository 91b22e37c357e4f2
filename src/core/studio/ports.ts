/**
 * What the studio needs from services owned elsewhere, as small interfaces: the studio is
 * coded against these, and the composition root plugs in the real services (or leaves an
 * optional one out, and the UI hides that panel). Nothing here is faked.
 */
import type { WatchActivity, WatchFolderView } from '../../shared/contract-views.js';
import type { DeviceSettings, DeviceWithSettings } from '../../shared/devices.js';
import type { RestoreEvent } from '../../shared/events.js';
import type { WatchPreset } from '../../shared/watch.js';
import type { RestoreRequest, RestoreSummary, RunControls } from '../restore/restore-engine.js';
import type { JobFileRecord, JobRecord, JobStatus } from '../store/job-store.js';

/** RestoreEngine.run: one job, with cancel (signal) and pause (gate) controls. */
export interface RestoreRunner {
  run(request: RestoreRequest, emit: (event: RestoreEvent) => void, controls: RunControls): Promise<RestoreSummary>;
}

/** The history (JobStore). */
export interface HistoryPort {
  listJobs(options?: { limit?: number; status?: JobStatus; filesPerJob?: number }): JobRecord[];
  getJob(jobId: string, options?: { filesPerJob?: number }): JobRecord | undefined;
  jobFiles(jobId: string, from: number, limit: number): JobFileRecord[];
  findFile(jobId: string, inputPath: string): JobFileRecord | undefined;
  wroteRecently(outputPath: string, jobs: number): boolean;
}

/** Device discovery + per-device settings (src/core/devices). */
export interface DeviceSettingsPort {
  list(): Promise<DeviceWithSettings[]>;
  get(deviceId: string): Promise<DeviceWithSettings>;
  /** Validates and persists; rejects with INVALID_SETTING and a message naming the field. */
  update(deviceId: string, patch: { [K in keyof DeviceSettings]?: DeviceSettings[K] | undefined }): Promise<DeviceWithSettings>;
}

/** Watch folders (src/core/watch). */
export interface WatchPort {
  list(): Promise<WatchFolderView[]>;
  add(folder: { path: string; outDir: string; preset: WatchPreset }): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  onActivity(listener: (activity: WatchActivity) => void): () => void;
}

/** Native dialogs (Electron only). Empty / null when the user cancels. */
export interface DialogPort {
  openPhotos(mode: 'files' | 'folder'): Promise<string[]>;
  chooseFolder(options: { title?: string; defaultPath?: string }): Promise<string | null>;
  /** A model to import: one .onnx file, or an NCNN .param and .bin pair. */
  openModelFiles(): Promise<string[]>;
}

/** Opening files with the desktop (Electron only). */
export interface ShellPort {
  openPath(path: string): Promise<void>;
  showInFolder(path: string): void;
}
