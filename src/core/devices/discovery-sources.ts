import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { ProviderName } from '../../shared/devices.js';
import { readCpuAvailableMemory } from '../scheduler/memory-monitor.js';

/** The subset of systeminformation.graphics().controllers discovery reads (fixtures record the whole object). */
export interface GraphicsController {
  vendor?: string;
  vendorId?: string;
  model?: string;
  name?: string;
  bus?: string;
  /** lspci's "01:00.0" (Linux). */
  busAddress?: string;
  /** nvidia-smi's "00000000:01:00.0", merged in by systeminformation. */
  pciBus?: string;
  /** MiB; on Linux without clinfo this is the PCI BAR size, not the real VRAM. */
  vram?: number | null;
  vramDynamic?: boolean;
  external?: boolean;
  driverVersion?: string;
  metalVersion?: string;
  /** MiB, from nvidia-smi through systeminformation. */
  memoryTotal?: number;
  memoryFree?: number;
}

export interface CpuFacts {
  model: string;
  cores: number;
  memoryTotalBytes: number;
  memoryFreeBytes: number;
}

export interface ProbeOutcome {
  ok: boolean;
  /** Why the provider cannot run, in words a user can act on (absent when ok). */
  reason?: string;
  ms: number;
}

/** Opens a real session on a provider (and device index) and reports whether it ran. */
export type SessionProber = (provider: ProviderName, deviceId: number | undefined) => Promise<ProbeOutcome>;

/**
 * Everything discovery reads from the machine, injectable so recorded outputs (fixtures)
 * drive the real discovery code.
 */
export interface DiscoverySources {
  platform: NodeJS.Platform;
  arch: string;
  env: Record<string, string | undefined>;
  cpu(): Promise<CpuFacts>;
  graphics(): Promise<GraphicsController[]>;
  /** Runs nvidia-smi with these arguments; undefined when it is not installed, throws when it fails. */
  nvidiaSmi(args: string[]): Promise<string | undefined>;
  /** Backend names this onnxruntime-node build lists (listSupportedBackends). */
  runtimeBackends(): string[] | Promise<string[]>;
  /** amdgpu's VRAM counters from sysfs (Linux); undefined where the driver has none. */
  pciMemory(pciBusId: string): Promise<{ totalBytes: number; usedBytes: number } | undefined>;
  probe: SessionProber;
}

/** The real machine. The prober is passed in because it owns a per-process cache (ProviderProbe). */
export function systemDiscoverySources(probe: SessionProber, env: Record<string, string | undefined> = process.env): DiscoverySources {
  const platform = process.platform;
  return {
    platform,
    arch: process.arch,
    env,
    async cpu() {
      const list = cpus();
      return { model: list[0]?.model.trim() || 'CPU', cores: availableParallelism(), memoryTotalBytes: totalmem(), memoryFreeBytes: await readCpuAvailableMemory() };
    },
    // systeminformation and the runtime are loaded when discovery runs, not when a command starts (it is often cached).
    async graphics() {
      return (await (await import('systeminformation')).graphics()).controllers;
    },
    nvidiaSmi: (args) => runNvidiaSmi(args, platform, env),
    runtimeBackends: async () => (await import('../inference/ort-backend.js')).listRuntimeBackends().map((b) => b.name),
    pciMemory: readAmdgpuMemory,
    probe,
  };
}

const NVIDIA_SMI_TIMEOUT_MS = 10_000;

async function runNvidiaSmi(args: string[], platform: NodeJS.Platform, env: Record<string, string | undefined>): Promise<string | undefined> {
  // Windows drivers install it in System32 (on PATH); older ones under Program Files\NVIDIA Corporation\NVSMI.
  const candidates = platform === 'win32' ? ['nvidia-smi', join(env.ProgramFiles ?? 'C:\\Program Files', 'NVIDIA Corporation', 'NVSMI', 'nvidia-smi.exe')] : ['nvidia-smi'];
  for (const command of candidates) {
    const result = await new Promise<{ missing: true } | { missing: false; stdout: string; error?: Error }>((resolve) => {
      execFile(command, args, { timeout: NVIDIA_SMI_TIMEOUT_MS, windowsHide: true, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') return resolve({ missing: true });
        if (error) return resolve({ missing: false, stdout, error: new Error(`${stdout}${stderr}`.trim() || error.message) });
        resolve({ missing: false, stdout });
      });
    });
    if (result.missing) continue;
    if (result.error) throw result.error;
    return result.stdout;
  }
  return undefined;
}

async function readAmdgpuMemory(pciBusId: string): Promise<{ totalBytes: number; usedBytes: number } | undefined> {
  if (process.platform !== 'linux') return undefined;
  const dir = `/sys/bus/pci/devices/${pciBusId}`;
  try {
    const [total, used] = await Promise.all([fs.readFile(`${dir}/mem_info_vram_total`, 'utf8'), fs.readFile(`${dir}/mem_info_vram_used`, 'utf8')]);
    const totalBytes = Number(total.trim());
    const usedBytes = Number(used.trim());
    return Number.isFinite(totalBytes) && Number.isFinite(usedBytes) && totalBytes > 0 ? { totalBytes, usedBytes } : undefined;
  } catch {
    return undefined;
  }
}
