/** Discovery sources that replay the recordings in test/fixtures/devices/<machine>/ through the real discovery code. */
import { existsSync, readFileSync } from 'node:fs';
import type { ProviderName } from '../../../src/shared/devices.js';
import type { CpuFacts, DiscoverySources, GraphicsController, ProbeOutcome } from '../../../src/core/devices/discovery-sources.js';

export type Machine = 'linux-two-nvidia' | 'windows-two-nvidia' | 'linux-amd-intel' | 'apple-silicon' | 'linux-no-gpu';

interface MachineFile {
  platform: NodeJS.Platform;
  arch: string;
  cpu: CpuFacts;
  runtimeBackends: string[];
  pciMemory: Record<string, { totalBytes: number; usedBytes: number }>;
}

export interface FixtureOptions {
  env?: Record<string, string | undefined>;
  /** Decides each probe; default: every provider loads. */
  probe?: (provider: ProviderName, deviceId: number | undefined) => ProbeOutcome;
  /** Rewrites the recorded controllers (e.g. drop the bus ids). */
  controllers?: (recorded: GraphicsController[]) => GraphicsController[];
  /** Replaces the nvidia-smi runner (e.g. an old driver, a failing one). */
  nvidiaSmi?: (args: string[], recorded: string | undefined) => Promise<string | undefined>;
}

export interface FixtureSources extends DiscoverySources {
  probeCalls: Array<[ProviderName, number | undefined]>;
  nvidiaSmiCalls: string[][];
}

export function fixturePath(machine: Machine, file: string): string {
  return new URL(`../../fixtures/devices/${machine}/${file}`, import.meta.url).pathname;
}

export function fixtureSources(machine: Machine, options: FixtureOptions = {}): FixtureSources {
  const facts = JSON.parse(readFileSync(fixturePath(machine, 'machine.json'), 'utf8')) as MachineFile;
  const graphics = (JSON.parse(readFileSync(fixturePath(machine, 'si-graphics.json'), 'utf8')) as { controllers: GraphicsController[] }).controllers;
  const smiPath = fixturePath(machine, 'nvidia-smi.txt');
  const smi = existsSync(smiPath) ? readFileSync(smiPath, 'utf8') : undefined;
  const sources: FixtureSources = {
    platform: facts.platform,
    arch: facts.arch,
    env: { ...options.env },
    probeCalls: [],
    nvidiaSmiCalls: [],
    cpu: async () => facts.cpu,
    graphics: async () => (options.controllers ? options.controllers(structuredClone(graphics)) : structuredClone(graphics)),
    async nvidiaSmi(args) {
      sources.nvidiaSmiCalls.push(args);
      if (options.nvidiaSmi) return options.nvidiaSmi(args, smi);
      if (smi === undefined) return undefined;
      // Answer narrower queries (the free-memory reader) from the same recording.
      const fields = args[0]!.replace('--query-gpu=', '').split(',');
      const all = ['index', 'pci.bus_id', 'name', 'memory.total', 'memory.free', 'driver_version', 'compute_cap'];
      return smi
        .split(/\r?\n/)
        .filter((l) => l.trim())
        .map((line) => {
          const cells = line.split(',').map((c) => c.trim());
          return fields.map((f) => cells[all.indexOf(f)]).join(', ');
        })
        .join('\n');
    },
    runtimeBackends: () => facts.runtimeBackends,
    pciMemory: async (bus) => facts.pciMemory[bus],
    probe: async (provider, deviceId) => {
      sources.probeCalls.push([provider, deviceId]);
      return options.probe ? options.probe(provider, deviceId) : { ok: true, ms: 1 };
    },
  };
  return sources;
}
