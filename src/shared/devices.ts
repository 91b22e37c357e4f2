import { z } from 'zod';

/** Execution providers Heirloom knows how to ask ONNX Runtime for. */
export const PROVIDERS = ['cpu', 'webgpu', 'cuda', 'dml', 'coreml'] as const;
export const ProviderNameSchema = z.enum(PROVIDERS);
export type ProviderName = z.infer<typeof ProviderNameSchema>;

export const PrecisionSchema = z.enum(['fp32', 'fp16']);
export type Precision = z.infer<typeof PrecisionSchema>;

export type DeviceKind = 'cpu' | 'discrete-gpu' | 'integrated-gpu';

/** One device as discovered: hardware facts plus what ONNX Runtime can run on it. */
export interface DeviceInfo {
  /** Stable across runs: "cpu", "pci-0000:01:00.0", else vendor + name + index. */
  id: string;
  name: string;
  vendor: string;
  kind: DeviceKind;
  /** e.g. Ampere, Ada, Hopper, RDNA3, Apple M-series, Intel Xe. */
  architecture?: string;
  pciBusId?: string;
  memoryTotalBytes?: number;
  memoryFreeBytes?: number;
  driver?: string;
  /** Providers that can run on this device, best first. */
  providers: ProviderName[];
  /** The provider's own device index (CUDA / DirectML deviceId), mapped by PCI bus id. */
  providerDeviceIds: Partial<Record<ProviderName, number>>;
}

export const MemoryBudgetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fraction'), value: z.number().gt(0).max(1) }),
  z.object({ kind: z.literal('bytes'), value: z.number().int().positive() }),
]);
export type MemoryBudget = z.infer<typeof MemoryBudgetSchema>;

/** Per-device settings; presets give the defaults, the user's values override them. */
export const DeviceSettingsSchema = z.object({
  enabled: z.boolean(),
  provider: ProviderNameSchema,
  precision: PrecisionSchema,
  tileSize: z.union([z.literal('auto'), z.number().int().min(0).max(8192)]),
  memoryBudget: MemoryBudgetSchema,
  maxBatch: z.number().int().min(1).max(64),
  threads: z.union([z.literal('auto'), z.number().int().min(1).max(256)]),
});
export type DeviceSettings = z.infer<typeof DeviceSettingsSchema>;

export interface DeviceWithSettings extends DeviceInfo {
  settings: DeviceSettings;
  /** Why the settings in force differ from what the user asked (e.g. provider fell back to CPU). */
  warnings: string[];
}
