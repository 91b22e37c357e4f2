import type { DeviceInfo, DeviceKind, ProviderName } from '../../shared/devices.js';
import { cudaOrdinals } from './cuda-ordinals.js';
import type { DiscoverySources, GraphicsController } from './discovery-sources.js';
import { gpuArchitecture } from './gpu-architecture.js';
import { gpuDisplayName, gpuVendorOf, isIntegratedGpu, type GpuVendor } from './gpu-vendor.js';
import { isUnknownFieldError, NVIDIA_SMI_FIELDS_WITHOUT_COMPUTE_CAP, nvidiaSmiQueryArgs, parseNvidiaSmi, type NvidiaGpu } from './nvidia-smi.js';
import { normalizePciBusId } from './pci-bus-id.js';

export interface DiscoveredDevice extends DeviceInfo {
  /** Providers this device could use on this machine and build, best first, before any probe. */
  candidates: ProviderName[];
  /** Why a provider is not usable here (not in this build, adapter ambiguous, probe failed), by provider. */
  unavailable: Partial<Record<ProviderName, string>>;
  /** True when `providers` were confirmed by opening a real session on each candidate. */
  probed: boolean;
  computeCapability?: string;
}

export interface Discovery {
  devices: DiscoveredDevice[];
  /** What discovery skipped or could not read, for `heirloom devices` and bug reports. */
  notes: string[];
}

const MIB = 1024 * 1024;

/** Best first: a vendor runtime beats the portable paths. */
const PROVIDER_PREFERENCE: readonly ProviderName[] = ['cuda', 'dml', 'coreml', 'webgpu'];

const PROVIDER_LABEL: Record<ProviderName, string> = { cpu: 'CPU', cuda: 'CUDA', dml: 'DirectML', coreml: 'CoreML', webgpu: 'WebGPU' };
export const providerLabel = (provider: ProviderName): string => PROVIDER_LABEL[provider];

interface Gpu {
  vendor: GpuVendor;
  name: string;
  kind: DeviceKind;
  pciBusId?: string;
  memoryTotalBytes?: number;
  memoryFreeBytes?: number;
  driver?: string;
  architecture?: string;
  computeCapability?: string;
}

/**
 * One device list from systeminformation's controllers, nvidia-smi and what this
 * onnxruntime-node build lists; with `probe`, each candidate provider is confirmed by a
 * real session. The CPU is always a device.
 */
export async function discoverDevices(sources: DiscoverySources, options: { probe?: boolean } = {}): Promise<Discovery> {
  const notes: string[] = [];
  const [cpu, controllers, nvidia] = await Promise.all([
    sources.cpu(),
    sources.graphics().catch((error: unknown) => {
      notes.push(`systeminformation could not list graphics controllers: ${(error as Error).message}`);
      return [] as GraphicsController[];
    }),
    readNvidiaSmi(sources, notes),
  ]);
  const gpus = mergeGpus(controllers, nvidia, sources.platform, notes);
  for (const gpu of gpus) {
    if (gpu.vendor === 'AMD' && gpu.pciBusId && sources.platform === 'linux') {
      const memory = await sources.pciMemory(gpu.pciBusId);
      if (memory) {
        gpu.memoryTotalBytes = memory.totalBytes;
        gpu.memoryFreeBytes = Math.max(0, memory.totalBytes - memory.usedBytes);
      }
    }
    // Integrated GPUs (and Apple's unified memory) allocate from system memory.
    if (gpu.kind === 'integrated-gpu' && gpu.memoryTotalBytes === undefined) {
      gpu.memoryTotalBytes = cpu.memoryTotalBytes;
      gpu.memoryFreeBytes = cpu.memoryFreeBytes;
    }
  }

  const devices = [...assignProviders(gpus, new Set(await sources.runtimeBackends()), sources, notes), cpuDevice(cpu, sources.arch)];
  if (!options.probe) return { devices, notes };
  return { devices: await Promise.all(devices.map((d) => probeDevice(d, sources.probe))), notes };
}

/** Confirms each candidate provider with a real session; failures keep the runtime's reason. */
export async function probeDevice(device: DiscoveredDevice, probe: DiscoverySources['probe']): Promise<DiscoveredDevice> {
  const providers: ProviderName[] = [];
  const unavailable = { ...device.unavailable };
  for (const provider of device.candidates) {
    if (provider === 'cpu') {
      providers.push(provider);
      continue;
    }
    const outcome = await probe(provider, device.providerDeviceIds[provider]);
    if (outcome.ok) providers.push(provider);
    else unavailable[provider] = outcome.reason ?? 'the session probe failed';
  }
  return { ...device, providers, unavailable, probed: true };
}

async function readNvidiaSmi(sources: DiscoverySources, notes: string[]): Promise<NvidiaGpu[]> {
  try {
    const text = await sources.nvidiaSmi(nvidiaSmiQueryArgs());
    return text === undefined ? [] : parseNvidiaSmi(text);
  } catch (error) {
    const message = (error as Error).message;
    if (isUnknownFieldError(message)) {
      try {
        const text = await sources.nvidiaSmi(nvidiaSmiQueryArgs(NVIDIA_SMI_FIELDS_WITHOUT_COMPUTE_CAP));
        notes.push('nvidia-smi is too old to report compute capability; GPU architectures come from their names.');
        return text === undefined ? [] : parseNvidiaSmi(text, NVIDIA_SMI_FIELDS_WITHOUT_COMPUTE_CAP);
      } catch (retry) {
        notes.push(`nvidia-smi failed: ${(retry as Error).message}`);
        return [];
      }
    }
    notes.push(`nvidia-smi failed: ${firstLine(message)} (is the NVIDIA driver loaded?)`);
    return [];
  }
}

/**
 * NVIDIA GPUs are matched to systeminformation's controllers by PCI bus id (Linux), else by
 * name (Windows lists no bus ids); nvidia-smi's facts win. GPUs only nvidia-smi saw (e.g. a
 * container without lspci) are kept.
 */
function mergeGpus(controllers: GraphicsController[], nvidia: NvidiaGpu[], platform: NodeJS.Platform, notes: string[]): Gpu[] {
  const unmatched = new Set(nvidia);
  const gpus: Gpu[] = [];
  const claimed = new Set<string>();
  for (const c of controllers) {
    const model = (c.model || c.name || '').trim();
    const vendor = gpuVendorOf(c.vendor, c.vendorId, model);
    if (!vendor) {
      if (model || c.vendor) notes.push(`Ignored display controller "${[c.vendor, model].filter(Boolean).join(' ')}": no ONNX Runtime provider runs models on it.`);
      continue;
    }
    // On Windows systeminformation pairs nvidia-smi rows by subsystem id, so two identical cards
    // can both get the first card's bus id: a bus id already taken is not trusted.
    let bus = normalizePciBusId(c.pciBus) ?? normalizePciBusId(c.busAddress);
    if (bus && claimed.has(bus)) bus = undefined;
    let smi: NvidiaGpu | undefined;
    if (vendor === 'NVIDIA') {
      smi = bus ? [...unmatched].find((g) => g.pciBusId === bus) : [...unmatched].find((g) => sameNvidiaName(g.name, c.name || model));
      if (smi) unmatched.delete(smi);
    }
    const integrated = isIntegratedGpu(vendor, model, { vramDynamic: c.vramDynamic, bus: c.bus, external: c.external });
    const gpu: Gpu = {
      vendor,
      name: smi ? withVendor(smi.name) : gpuDisplayName(vendor, c.name || model),
      kind: integrated ? 'integrated-gpu' : 'discrete-gpu',
    };
    const pciBusId = smi?.pciBusId ?? bus;
    if (pciBusId) {
      gpu.pciBusId = pciBusId;
      claimed.add(pciBusId);
    }
    const totalMib = c.memoryTotal ?? (platform !== 'linux' && !integrated ? c.vram ?? undefined : undefined);
    const total = smi?.memoryTotalBytes ?? (totalMib ? totalMib * MIB : undefined);
    const free = smi?.memoryFreeBytes ?? (c.memoryFree !== undefined ? c.memoryFree * MIB : undefined);
    if (total !== undefined) gpu.memoryTotalBytes = total;
    if (free !== undefined) gpu.memoryFreeBytes = free;
    const driver = smi?.driver ?? c.driverVersion ?? c.metalVersion;
    if (driver) gpu.driver = driver;
    if (smi?.computeCapability) gpu.computeCapability = smi.computeCapability;
    const architecture = gpuArchitecture(vendor, [model, c.name ?? '', smi?.name ?? ''], smi?.computeCapability);
    if (architecture) gpu.architecture = architecture;
    gpus.push(gpu);
  }
  for (const smi of unmatched) {
    const gpu: Gpu = { vendor: 'NVIDIA', name: withVendor(smi.name), kind: isIntegratedGpu('NVIDIA', smi.name, {}) ? 'integrated-gpu' : 'discrete-gpu', pciBusId: smi.pciBusId };
    if (smi.memoryTotalBytes !== undefined) gpu.memoryTotalBytes = smi.memoryTotalBytes;
    if (smi.memoryFreeBytes !== undefined) gpu.memoryFreeBytes = smi.memoryFreeBytes;
    if (smi.driver) gpu.driver = smi.driver;
    if (smi.computeCapability) gpu.computeCapability = smi.computeCapability;
    const architecture = gpuArchitecture('NVIDIA', [smi.name], smi.computeCapability);
    if (architecture) gpu.architecture = architecture;
    gpus.push(gpu);
  }
  // Discrete first, then by bus id where known; the original order breaks ties (stable sort).
  return gpus.sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || (a.pciBusId && b.pciBusId ? a.pciBusId.localeCompare(b.pciBusId) : 0));
}

function assignProviders(gpus: Gpu[], backends: ReadonlySet<string>, sources: DiscoverySources, notes: string[]): DiscoveredDevice[] {
  const { platform, arch } = sources;
  const nvidiaBuses = gpus.filter((g) => g.vendor === 'NVIDIA' && g.pciBusId).map((g) => g.pciBusId!);
  const cuda = cudaOrdinals(nvidiaBuses, sources.env);
  if (cuda.problem && nvidiaBuses.length > 0) notes.push(cuda.problem);

  // WebGPU, CoreML and (with several adapters) DirectML pick the adapter themselves; Dawn asks
  // for the high-performance one, so they are offered only on the GPU that choice must be.
  const discrete = gpus.filter((g) => g.kind === 'discrete-gpu');
  const chosenBySelf = discrete.length === 1 ? discrete[0] : discrete.length === 0 && gpus.length === 1 ? gpus[0] : undefined;
  const selfChoice = (p: ProviderName) =>
    chosenBySelf ? `${providerLabel(p)} picks the high-performance adapter, ${chosenBySelf.name}` : `${providerLabel(p)} chooses the GPU itself, and with ${gpus.length} GPUs Heirloom cannot tell which one it would take`;

  const ids = new Map<string, number>();
  return gpus.map((gpu) => {
    const candidates: ProviderName[] = [];
    const providerDeviceIds: Partial<Record<ProviderName, number>> = {};
    const unavailable: Partial<Record<ProviderName, string>> = {};
    const notInBuild = (p: ProviderName) => `this onnxruntime-node build has no ${providerLabel(p)} provider`;

    if (gpu.vendor === 'NVIDIA' && (platform === 'linux' || platform === 'win32')) {
      const ordinal = gpu.pciBusId ? cuda.byBusId.get(gpu.pciBusId) : undefined;
      if (arch !== 'x64') unavailable.cuda = `CUDA builds of onnxruntime-node exist only for x64 (this is ${arch})`;
      else if (!backends.has('cuda')) unavailable.cuda = notInBuild('cuda');
      else if (!gpu.pciBusId) unavailable.cuda = 'its PCI bus id is unknown (nvidia-smi did not list it), so its CUDA device number cannot be known';
      else if (ordinal === undefined) unavailable.cuda = cuda.problem ?? 'CUDA does not see it';
      else {
        candidates.push('cuda');
        providerDeviceIds.cuda = ordinal;
      }
    }
    if (platform === 'win32') {
      if (!backends.has('dml')) unavailable.dml = notInBuild('dml');
      else if (gpus.length !== 1) unavailable.dml = `DirectML numbers adapters in DXGI order, which cannot be tied to a PCI bus id, and this machine has ${gpus.length} GPUs`;
      else {
        candidates.push('dml');
        providerDeviceIds.dml = 0;
      }
    }
    if (platform === 'darwin') {
      if (!backends.has('coreml')) unavailable.coreml = notInBuild('coreml');
      else if (gpu !== chosenBySelf) unavailable.coreml = selfChoice('coreml');
      else candidates.push('coreml');
    }
    if (!backends.has('webgpu')) unavailable.webgpu = notInBuild('webgpu');
    else if (gpu !== chosenBySelf) unavailable.webgpu = selfChoice('webgpu');
    else candidates.push('webgpu');

    candidates.sort((a, b) => PROVIDER_PREFERENCE.indexOf(a) - PROVIDER_PREFERENCE.indexOf(b));
    const device: DiscoveredDevice = {
      id: deviceId(gpu, ids),
      name: gpu.name,
      vendor: gpu.vendor,
      kind: gpu.kind,
      providers: [...candidates],
      providerDeviceIds,
      candidates,
      unavailable,
      probed: false,
    };
    for (const key of ['architecture', 'pciBusId', 'memoryTotalBytes', 'memoryFreeBytes', 'driver', 'computeCapability'] as const) {
      if (gpu[key] !== undefined) (device as unknown as Record<string, unknown>)[key] = gpu[key];
    }
    return device;
  });
}

function cpuDevice(cpu: { model: string; cores: number; memoryTotalBytes: number; memoryFreeBytes: number }, arch: string): DiscoveredDevice {
  return {
    id: 'cpu',
    name: `${cpu.model} (${cpu.cores} threads)`,
    vendor: cpuVendor(cpu.model),
    kind: 'cpu',
    architecture: arch,
    memoryTotalBytes: cpu.memoryTotalBytes,
    memoryFreeBytes: cpu.memoryFreeBytes,
    providers: ['cpu'],
    providerDeviceIds: {},
    candidates: ['cpu'],
    unavailable: {},
    probed: false,
  };
}

/** "pci-0000:3b:00.0" where the bus id is known; else vendor + name + index among identical ones. */
function deviceId(gpu: Gpu, seen: Map<string, number>): string {
  if (gpu.pciBusId) return `pci-${gpu.pciBusId}`;
  const base = slug(gpu.name.toLowerCase().startsWith(gpu.vendor.toLowerCase()) ? gpu.name : `${gpu.vendor} ${gpu.name}`);
  const index = seen.get(base) ?? 0;
  seen.set(base, index + 1);
  return `${base}-${index}`;
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const kindRank = (kind: DeviceKind) => (kind === 'discrete-gpu' ? 0 : kind === 'integrated-gpu' ? 1 : 2);
const withVendor = (name: string) => (/^nvidia\b/i.test(name) ? name : `NVIDIA ${name}`);
const firstLine = (text: string) => text.split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? text;

function sameNvidiaName(smiName: string, siName: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/^nvidia\s+/, '').trim();
  return norm(smiName) === norm(siName) || norm(siName).includes(norm(smiName));
}

function cpuVendor(model: string): string {
  const text = model.toLowerCase();
  if (text.includes('intel')) return 'Intel';
  if (text.includes('amd')) return 'AMD';
  if (text.includes('apple')) return 'Apple';
  return 'unknown';
}

