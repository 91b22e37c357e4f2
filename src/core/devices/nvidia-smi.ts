import { normalizePciBusId } from './pci-bus-id.js';

/** The one nvidia-smi query discovery runs; compute_cap needs driver 510 or newer. */
export const NVIDIA_SMI_FIELDS = ['index', 'pci.bus_id', 'name', 'memory.total', 'memory.free', 'driver_version', 'compute_cap'] as const;

export function nvidiaSmiQueryArgs(fields: readonly string[] = NVIDIA_SMI_FIELDS): string[] {
  return [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'];
}

/** Older drivers reject compute_cap; discovery retries without it and infers the architecture from the name. */
export const NVIDIA_SMI_FIELDS_WITHOUT_COMPUTE_CAP = NVIDIA_SMI_FIELDS.filter((f) => f !== 'compute_cap');

export function isUnknownFieldError(text: string): boolean {
  return /is not a valid field to query/i.test(text);
}

export interface NvidiaGpu {
  /** nvidia-smi's own index (NVML order); never used as a CUDA ordinal. */
  index: number;
  pciBusId: string;
  name: string;
  memoryTotalBytes?: number;
  memoryFreeBytes?: number;
  driver?: string;
  /** "8.6" */
  computeCapability?: string;
}

const MIB = 1024 * 1024;

/**
 * Parses `nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits`. Values nvidia-smi
 * cannot read come as "[N/A]" or "[Not Supported]" and are left out; rows without a usable
 * bus id are dropped, since a GPU that cannot be tied to a bus id cannot be mapped safely.
 */
export function parseNvidiaSmi(text: string, fields: readonly string[] = NVIDIA_SMI_FIELDS): NvidiaGpu[] {
  const gpus: NvidiaGpu[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== fields.length) continue;
    const value = (field: string): string | undefined => {
      const cell = cells[fields.indexOf(field)];
      return cell === undefined || cell === '' || /^\[.*\]$/.test(cell) || cell === 'N/A' ? undefined : cell;
    };
    const pciBusId = normalizePciBusId(value('pci.bus_id'));
    const name = value('name');
    const index = Number(value('index'));
    if (!pciBusId || !name || !Number.isInteger(index)) continue;
    const gpu: NvidiaGpu = { index, pciBusId, name };
    const total = mebibytes(value('memory.total'));
    const free = mebibytes(value('memory.free'));
    if (total !== undefined) gpu.memoryTotalBytes = total;
    if (free !== undefined) gpu.memoryFreeBytes = free;
    const driver = value('driver_version');
    if (driver) gpu.driver = driver;
    const cc = value('compute_cap');
    if (cc && /^\d+\.\d+$/.test(cc)) gpu.computeCapability = cc;
    gpus.push(gpu);
  }
  return gpus;
}

function mebibytes(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? Math.round(n * MIB) : undefined;
}
