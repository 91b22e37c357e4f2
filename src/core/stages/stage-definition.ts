import type { ProgressEvent } from '../../shared/events.js';
import type { JobSettings, StoredJobSettings } from '../../shared/job-settings.js';
import type { MemoryBudget, Precision } from '../../shared/devices.js';
import type { SessionConfig } from '../inference/ort-backend.js';
import type { SessionPool } from '../inference/session-pool.js';
import type { ModelRegistry } from '../models/model-registry.js';
import type { PhotoStage, StageName } from './photo-stage.js';

/** The device a job's stages run their networks on (the job's first device), as the scheduler describes it. */
export interface StageDevice {
  deviceId: string;
  session: SessionConfig;
  freeBytes: () => Promise<number>;
  budget: MemoryBudget;
  maxBatch: number;
  precision: Precision;
}

/** What a stage may use when it opens: models, sessions, the device, and a way to report progress. */
export interface StageServices {
  models: ModelRegistry;
  sessions: SessionPool;
  device: StageDevice;
  /** A progress event for one photo while the stage works on it (stage, tiles, batch...). */
  progress(file: string, update: Partial<Omit<ProgressEvent, 'type' | 'jobId' | 'file'>>): void;
}

/** A stage opened for one job: its per-photo work, and the settings it resolved (recorded in the history). */
export type OpenedStage = PhotoStage & {
  /** Settings as resolved (e.g. which face model "auto" picked, which detector weights), merged into the job's record. */
  readonly resolved?: Partial<StoredJobSettings>;
  dispose?(): Promise<void> | void;
};

/** A stage the job asked for only "if possible" that cannot run here; the rest of the job goes on. */
export interface UnavailableStage {
  unavailable: string;
}

/** One entry of the stage list: when a job wants it, and how to open it once per job. */
export interface StageDefinition {
  name: StageName;
  wanted(settings: JobSettings): boolean;
  open(settings: JobSettings, services: StageServices): Promise<OpenedStage | UnavailableStage>;
}
