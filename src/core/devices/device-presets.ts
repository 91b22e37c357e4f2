import type { DeviceSettings, MemoryBudget, Precision, ProviderName } from '../../shared/devices.js';
import { CPU_LANE_DEFAULTS } from './device-resolver.js';
import type { DiscoveredDevice } from './discover-devices.js';

/**
 * Architectures whose GPUs run fp16 at least twice as fast as fp32 with tensor/matrix units
 * (Ampere and newer; RDNA3 WMMA; Intel XMX; Apple's GPU halves natively).
 */
const FP16_ARCHITECTURES = new Set(['Ampere', 'Ada', 'Hopper', 'Blackwell', 'RDNA3', 'RDNA3.5', 'RDNA4', 'CDNA', 'Intel Xe-HPG', 'Intel Xe2', 'Apple M-series']);

/** fp16 needs a GPU provider; ONNX Runtime's CPU provider computes these models in fp32. */
export function providerSupportsFp16(provider: ProviderName): boolean {
  return provider !== 'cpu';
}

export interface DevicePreset {
  precision: Precision;
  memoryBudget: MemoryBudget;
  maxBatch: number;
}

/**
 * Hardware presets. Discrete GPUs keep 20 % of free memory as headroom (the GPEN batch
 * rule's 0.8); integrated GPUs share system memory with the app and the OS (Windows lets
 * them have at most half of it), so they take half. The CPU keeps the engine's own CPU
 * defaults (its tuner measures which batch actually helps).
 */
export function hardwarePreset(device: Pick<DiscoveredDevice, 'kind' | 'architecture'>, provider: ProviderName): DevicePreset {
  const precision: Precision = providerSupportsFp16(provider) && device.architecture !== undefined && FP16_ARCHITECTURES.has(device.architecture) ? 'fp16' : 'fp32';
  switch (device.kind) {
    case 'discrete-gpu':
      return { precision, memoryBudget: { kind: 'fraction', value: 0.8 }, maxBatch: 8 };
    case 'integrated-gpu':
      return { precision, memoryBudget: { kind: 'fraction', value: 0.5 }, maxBatch: 4 };
    case 'cpu':
      return { precision: 'fp32', memoryBudget: CPU_LANE_DEFAULTS.memoryBudget, maxBatch: CPU_LANE_DEFAULTS.maxBatch };
  }
}

/**
 * Which devices work on the shared queue unless the user says otherwise: every GPU that has
 * a provider candidate (if its provider then fails to load, that is reported, not hidden),
 * and the CPU only when there is no such GPU, since a CPU worker would hold photos for
 * minutes that a GPU finishes in seconds.
 */
export function enabledByDefault(device: DiscoveredDevice, all: readonly DiscoveredDevice[]): boolean {
  const gpuWithProvider = (d: DiscoveredDevice) => d.kind !== 'cpu' && d.candidates.length > 0;
  if (device.kind === 'cpu') return !all.some(gpuWithProvider);
  return gpuWithProvider(device);
}

/** The full preset for a device, given the provider it will use. */
export function presetSettings(device: DiscoveredDevice, all: readonly DiscoveredDevice[], provider: ProviderName): DeviceSettings {
  const preset = hardwarePreset(device, provider);
  return { enabled: enabledByDefault(device, all), provider, precision: preset.precision, tileSize: 'auto', memoryBudget: preset.memoryBudget, maxBatch: preset.maxBatch, threads: 'auto' };
}
