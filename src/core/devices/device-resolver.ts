import type { MemoryBudget, Precision, ProviderName } from '../../shared/devices.js';
import type { WarningCode } from '../../shared/events.js';
import type { SessionConfig } from '../inference/ort-backend.js';
import { readCpuAvailableMemory, type FreeMemoryReader } from '../scheduler/memory-monitor.js';

/** Scheduler settings of one device (from the per-device settings; defaults for the CPU). */
export interface LaneSettings {
  memoryBudget: MemoryBudget;
  maxBatch: number;
  precision: Precision;
  tileSize: number | 'auto';
}

/** Turns the user's device choice into session configurations (devices/ implements it). */
export interface DeviceResolver {
  /** The devices this run uses: the one asked for, or every enabled device sharing the queue. */
  resolve(request: { deviceId?: string; provider?: ProviderName; threads?: number }): Promise<ResolvedDevice[]>;
  /** A session could not be opened on a resolved device: forget any cached discovery, so the next run looks again. */
  invalidate?(): void;
}

export interface ResolvedDevice {
  deviceId: string;
  session: SessionConfig;
  settings: LaneSettings;
  /** Free-memory reader for this device (CPU: available RAM within the cgroup). */
  readFreeMemory: FreeMemoryReader;
  /** Shown to the user as warning events, e.g. a provider that fell back to the CPU. */
  warnings: Array<{ code: WarningCode; message: string }>;
}

export const CPU_LANE_DEFAULTS: LaneSettings = { memoryBudget: { kind: 'fraction', value: 0.8 }, maxBatch: 8, precision: 'fp32', tileSize: 'auto' };

/** Without device discovery: the CPU, always available. */
export const cpuOnly: DeviceResolver = {
  async resolve(request) {
    const warnings: ResolvedDevice['warnings'] = request.deviceId && request.deviceId !== 'cpu' ? [{ code: 'DEVICE_NOT_FOUND', message: `Device ${request.deviceId} is unknown; using the CPU.` }] : [];
    return [{ deviceId: 'cpu', session: { provider: 'cpu', ...(request.threads ? { threads: request.threads } : {}) }, settings: CPU_LANE_DEFAULTS, readFreeMemory: () => readCpuAvailableMemory(), warnings }];
  },
};
