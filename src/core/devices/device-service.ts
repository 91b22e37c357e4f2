import { DeviceSettingsSchema, type DeviceKind, type DeviceSettings, type DeviceWithSettings, type ProviderName } from '../../shared/devices.js';
import { HeirloomError } from '../../shared/errors.js';
import type { SessionConfig } from '../inference/ort-backend.js';
import type { DeviceResolver, ResolvedDevice } from './device-resolver.js';
import type { DeviceSettingsStore } from '../store/device-settings-store.js';
import { presetSettings, enabledByDefault, providerSupportsFp16 } from './device-presets.js';
import { discoverDevices, probeDevice, providerLabel, type DiscoveredDevice, type Discovery } from './discover-devices.js';
import type { DiscoverySources } from './discovery-sources.js';
import type { DiscoveryCache } from './discovery-cache.js';
import { nvidiaSmiQueryArgs, parseNvidiaSmi } from './nvidia-smi.js';
import { parseSettingAssignments } from './setting-assignments.js';

/** A device as `heirloom devices` and the app show it: hardware, providers, and the settings in force. */
export interface DeviceView extends DeviceWithSettings {
  candidates: ProviderName[];
  unavailable: Partial<Record<ProviderName, string>>;
  probed: boolean;
  computeCapability?: string;
  /** Presets with the user's values on top, before any fallback. */
  configured: DeviceSettings;
  /** The user's own values (what `settings set` stored). */
  overrides: Partial<DeviceSettings>;
  /** The device that does the work: itself, or "cpu" when its provider cannot be loaded. */
  runsOn: string;
}

/**
 * What an executor needs to run one worker: the session to open, the settings in force and
 * a free-memory reader for its memory model. A GPU whose provider cannot be loaded resolves
 * to the CPU, with the reason in `warnings`.
 */
export interface ResolvedDeviceConfig extends ResolvedDevice {
  /** The device asked for; differs from deviceId after a fallback to the CPU. */
  requestedDeviceId: string;
  name: string;
  kind: DeviceKind;
  settings: DeviceSettings;
  fellBack: boolean;
  /** The memory budget in bytes from the setting and the free memory at discovery. */
  memoryBudgetBytes?: number;
  /** Free bytes on the device that runs the work, read now (nvidia-smi, amdgpu sysfs or system memory). */
  readFreeMemory(): Promise<number>;
}

export interface DeviceWarning {
  code: string;
  message: string;
  deviceId: string;
  provider?: ProviderName;
}

type Warning = ResolvedDevice['warnings'][number];

/**
 * Devices and their settings: discovery once per instance, provider probes cached by the
 * prober, the user's values from SQLite. Implements the engine's DeviceResolver.
 */
export class DeviceService implements DeviceResolver {
  private discovery: Promise<Discovery> | undefined;
  /** Whether `discovery` came from the cache (a job may use it; what the user is shown is looked up afresh). */
  private discoveryCached = false;
  private readonly listeners = new Set<(warning: DeviceWarning) => void>();

  constructor(
    private readonly store: DeviceSettingsStore,
    private readonly sources: DiscoverySources,
    /** Discovery and probes remembered for a few minutes across processes (the data folder's file). */
    private readonly cache?: DiscoveryCache,
  ) {
    // CUDA numbers GPUs fastest-first unless told otherwise; bus order is what lets a PCI bus
    // id name a CUDA ordinal. It must be set before CUDA initialises, i.e. before any session.
    if (sources.env.CUDA_DEVICE_ORDER === undefined) sources.env.CUDA_DEVICE_ORDER = 'PCI_BUS_ID';
  }

  /**
   * Hardware and candidate providers (no probes), once per instance. A job takes a cached
   * discovery while it is fresh; `fresh` (what `heirloom devices`, settings and the studio
   * show) looks again, probes included, and renews the cache.
   */
  async discover(options: { fresh?: boolean } = {}): Promise<Discovery> {
    if (options.fresh && this.discoveryCached) this.discovery = undefined;
    if (this.discovery) return this.discovery;
    const cached = options.fresh ? undefined : this.cache?.readDiscovery();
    if (options.fresh) this.cache?.clear();
    this.discoveryCached = cached !== undefined;
    this.discovery = cached
      ? Promise.resolve(cached.discovery)
      : discoverDevices(this.sources).then(
          (discovery) => {
            this.cache?.writeDiscovery(discovery);
            return discovery;
          },
          (error: unknown) => {
            this.discovery = undefined;
            this.cache?.clear();
            throw error;
          },
        );
    return this.discovery;
  }

  /** Every device with its providers confirmed by a real session probe, and the settings in force. */
  async list(): Promise<DeviceView[]> {
    const { devices } = await this.discover({ fresh: true });
    const views: DeviceView[] = [];
    for (const device of devices) views.push(await this.view(device, devices));
    return views;
  }

  async get(deviceId: string): Promise<DeviceView> {
    const { devices } = await this.discover({ fresh: true });
    return this.view(findDevice(devices, deviceId), devices);
  }

  /** Validates and stores `key=value` settings for one device; returns the device as it now stands. */
  async updateSettings(deviceId: string, assignments: readonly string[]): Promise<DeviceView> {
    const { devices } = await this.discover({ fresh: true });
    const device = findDevice(devices, deviceId);
    const changes = parseSettingAssignments(assignments, device);
    const overrides: Partial<DeviceSettings> = { ...this.store.get(device.id) };
    for (const key of changes.reset) delete overrides[key];
    Object.assign(overrides, changes.values);
    const { settings } = await this.configure(device, devices, overrides);
    const check = DeviceSettingsSchema.safeParse(settings);
    if (!check.success) throw new HeirloomError('INVALID_SETTING', `The settings for ${device.id} are invalid: ${check.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
    if (settings.precision === 'fp16' && !providerSupportsFp16(settings.provider)) {
      throw new HeirloomError('INVALID_SETTING', `precision=fp16 needs a GPU provider, and ${device.id} would run on ${settings.provider}; keep precision=fp32 or choose a GPU provider.`);
    }
    this.store.update(device.id, { values: changes.values, reset: changes.reset, deviceName: device.name });
    return this.view(device, devices);
  }

  /** Stored values for devices that are not present now (e.g. an unplugged eGPU). */
  async absentDeviceSettings(): Promise<ReturnType<DeviceSettingsStore['list']>> {
    const { devices } = await this.discover();
    const present = new Set(devices.map((d) => d.id));
    return this.store.list().filter((s) => !present.has(s.deviceId));
  }

  /**
   * The devices a run uses: the one named (--device), or the one offering the requested
   * provider (--provider), else every enabled device sharing the queue.
   */
  async resolve(request: { deviceId?: string; provider?: ProviderName; threads?: number }): Promise<ResolvedDeviceConfig[]> {
    if (request.deviceId || request.provider) return [await this.resolveOne(request)];
    const workers = await this.enabledDevices();
    if (request.threads) for (const w of workers) if (w.session.provider === 'cpu') w.session = { ...w.session, threads: request.threads };
    return workers;
  }

  /**
   * One device for a run: the one named, else one offering the requested provider, else the
   * first enabled device. A provider that cannot be loaded falls back to the CPU with a
   * warning that carries the runtime's reason; an impossible request is a usage error.
   */
  async resolveOne(request: { deviceId?: string; provider?: ProviderName; threads?: number }): Promise<ResolvedDeviceConfig> {
    const { devices } = await this.discover();
    const warnings: Warning[] = [];
    let device: DiscoveredDevice;
    if (request.deviceId) {
      device = findDevice(devices, request.deviceId);
      if (request.provider && request.provider !== 'cpu' && !device.candidates.includes(request.provider)) {
        throw new HeirloomError('USAGE', `Device ${device.id} (${device.name}) cannot use the ${request.provider} provider: ${device.unavailable[request.provider] ?? 'it is not a provider for this kind of device'}. It can use: ${device.candidates.join(', ')}. Run "heirloom devices" to see which device offers it.`);
      }
    } else {
      const enabled = devices.filter((d) => this.isEnabled(d, devices));
      const offering = (list: DiscoveredDevice[]) => list.find((d) => request.provider !== undefined && d.candidates.includes(request.provider));
      const chosen = request.provider && request.provider !== 'cpu' ? (offering(enabled) ?? offering(devices)) : undefined;
      if (chosen) device = chosen;
      else if (request.provider && request.provider !== 'cpu') return this.runtimeWithoutCandidate(request.provider, devices, request.threads);
      else if (enabled[0]) device = enabled[0];
      else {
        device = cpuOf(devices);
        warnings.push({ code: 'INVALID_SETTING', message: `Every device is disabled in the settings; using the CPU. Enable one with "heirloom settings set <device> enabled=true".` });
      }
    }
    const runtime = await this.runtimeFor(device, devices, { provider: request.provider, threads: request.threads });
    return { ...runtime, warnings: [...warnings, ...runtime.warnings] };
  }

  /**
   * One entry per worker for the shared queue: each enabled device with its session and
   * settings. GPUs that fell back to the CPU share the one CPU worker (their warnings kept).
   */
  async enabledDevices(): Promise<ResolvedDeviceConfig[]> {
    const { devices } = await this.discover();
    const workers: ResolvedDeviceConfig[] = [];
    for (const device of devices.filter((d) => this.isEnabled(d, devices))) {
      const runtime = await this.runtimeFor(device, devices, {});
      const existing = workers.find((w) => w.deviceId === runtime.deviceId);
      if (existing) existing.warnings.push(...runtime.warnings);
      else workers.push(runtime);
    }
    if (workers.length === 0) {
      const cpu = await this.runtimeFor(cpuOf(devices), devices, { provider: 'cpu' });
      cpu.warnings.unshift({ code: 'INVALID_SETTING', message: 'Every device is disabled in the settings; the CPU does the work. Enable one with "heirloom settings set <device> enabled=true".' });
      workers.push(cpu);
    }
    return workers;
  }

  /** Fallbacks and skipped providers as they happen (the app shows them; the CLI prints the engine's warning events). */
  onWarning(listener: (warning: DeviceWarning) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets the discovered hardware (after a GPU was plugged in) and the cached discovery; in-process probe results stay in the prober. */
  refresh(): void {
    this.discovery = undefined;
    this.cache?.clear();
  }

  /** A session failed on a device as resolved: what the cache said about this machine is not trusted again. */
  invalidate(): void {
    if (this.discoveryCached) this.discovery = undefined;
    this.cache?.clear();
  }

  dispose(): void {
    this.listeners.clear();
    this.discovery = undefined;
  }

  private isEnabled(device: DiscoveredDevice, all: readonly DiscoveredDevice[]): boolean {
    return this.store.get(device.id).enabled ?? enabledByDefault(device, all);
  }

  /**
   * Presets plus the user's values. Without a user choice the provider is the first candidate
   * that really loads (a skipped one is reported); if none loads, the first, so the fallback
   * names it.
   */
  private async configure(device: DiscoveredDevice, all: readonly DiscoveredDevice[], overrides: Partial<DeviceSettings>): Promise<{ settings: DeviceSettings; warnings: Warning[] }> {
    const warnings: Warning[] = [];
    let provider = overrides.provider;
    if (!provider) {
      const failed: string[] = [];
      for (const candidate of device.candidates) {
        const outcome = candidate === 'cpu' ? { ok: true } : await this.sources.probe(candidate, device.providerDeviceIds[candidate]);
        if (outcome.ok) {
          provider = candidate;
          break;
        }
        failed.push(`${providerLabel(candidate)} could not be loaded (${'reason' in outcome ? outcome.reason : 'probe failed'})`);
      }
      if (provider && failed.length > 0) warnings.push({ code: 'PROVIDER_UNAVAILABLE', message: `${device.name} (${device.id}): ${failed.join('; ')}; using ${providerLabel(provider)} instead.` });
      provider ??= device.candidates[0] ?? 'cpu';
    }
    return { settings: { ...presetSettings(device, all, provider), ...overrides }, warnings };
  }

  private async view(device: DiscoveredDevice, all: readonly DiscoveredDevice[]): Promise<DeviceView> {
    const probed = device.kind === 'cpu' ? { ...device, probed: true } : await probeDevice(device, this.sources.probe);
    const overrides = this.store.get(device.id);
    const { settings: configured, warnings } = await this.configure(probed, all, overrides);
    let settings = configured;
    let runsOn = device.id;
    if (device.kind !== 'cpu' && !probed.providers.includes(configured.provider)) {
      settings = { ...configured, provider: 'cpu', precision: 'fp32' };
      runsOn = 'cpu';
      // A disabled device does no work; its `unavailable` reasons are listed without a fallback warning.
      if (configured.enabled) warnings.push({ code: 'PROVIDER_UNAVAILABLE', message: fallbackMessage(probed, configured.provider) });
    }
    const { candidates, unavailable, ...info } = probed;
    return { ...info, candidates, unavailable, settings, configured, overrides, runsOn, warnings: warnings.map((w) => w.message) };
  }

  private async runtimeFor(device: DiscoveredDevice, all: readonly DiscoveredDevice[], request: { provider?: ProviderName | undefined; threads?: number | undefined }): Promise<ResolvedDeviceConfig> {
    const { settings: configured, warnings } = await this.configure(device, all, this.store.get(device.id));
    const wanted = request.provider ?? configured.provider;
    if (device.kind === 'cpu' || (wanted === 'cpu' && request.provider === 'cpu')) {
      return this.cpuRuntime(all, device, request.threads, warnings, false);
    }
    if (wanted === 'cpu' || !device.candidates.includes(wanted)) {
      const warning: Warning = { code: 'PROVIDER_UNAVAILABLE', message: fallbackMessage(device, wanted) };
      this.announce(device.id, warning, wanted);
      return this.cpuRuntime(all, device, request.threads, [...warnings, warning], true);
    }
    const outcome = await this.sources.probe(wanted, device.providerDeviceIds[wanted]);
    if (!outcome.ok) {
      const warning: Warning = { code: 'PROVIDER_UNAVAILABLE', message: fallbackMessage(device, wanted, outcome.reason) };
      this.announce(device.id, warning, wanted);
      return this.cpuRuntime(all, device, request.threads, [...warnings, warning], true);
    }
    for (const w of warnings) this.announce(device.id, w);
    const settings: DeviceSettings = { ...configured, provider: wanted, precision: providerSupportsFp16(wanted) ? configured.precision : 'fp32' };
    return this.config(device, device, settings, sessionFor(wanted, device.providerDeviceIds[wanted], request.threads ?? settings.threads), warnings, false);
  }

  /** --provider X where no discovered device offers X: the runtime's own answer decides. */
  private async runtimeWithoutCandidate(provider: ProviderName, all: readonly DiscoveredDevice[], threads: number | undefined): Promise<ResolvedDeviceConfig> {
    const cpu = cpuOf(all);
    const outcome = await this.sources.probe(provider, undefined);
    const known = all.filter((d) => d.kind !== 'cpu' && d.unavailable[provider]).map((d) => `${d.name}: ${d.unavailable[provider]}`);
    if (!outcome.ok) {
      const reason = [outcome.reason, ...known].filter(Boolean).join('; ');
      const warning: Warning = { code: 'PROVIDER_UNAVAILABLE', message: `The ${providerLabel(provider)} provider could not be loaded: ${reason}. Running on the CPU instead.` };
      this.announce('cpu', warning, provider);
      return this.cpuRuntime(all, cpu, threads, [warning], true);
    }
    // It loads although discovery saw no GPU for it (e.g. a container without lspci): honour the
    // request, but say that the adapter is unidentified (it may even be a software renderer).
    const warning: Warning = { code: 'DEVICE_NOT_FOUND', message: `${providerLabel(provider)} loaded on an adapter that device discovery did not list; it may be slow or a software renderer. Run "heirloom devices" to check.` };
    this.announce('cpu', warning, provider);
    const settings: DeviceSettings = { ...presetSettings(cpu, all, provider), provider, precision: 'fp32', enabled: true };
    const config = this.config(cpu, cpu, settings, sessionFor(provider, undefined, threads ?? 'auto'), [warning], false);
    return { ...config, deviceId: `${provider}-default`, name: `${providerLabel(provider)} default adapter`, kind: 'discrete-gpu' };
  }

  private async cpuRuntime(all: readonly DiscoveredDevice[], requested: DiscoveredDevice, threads: number | undefined, warnings: Warning[], fellBack: boolean): Promise<ResolvedDeviceConfig> {
    const cpu = cpuOf(all);
    const { settings } = await this.configure(cpu, all, this.store.get(cpu.id));
    return this.config(cpu, requested, settings, sessionFor('cpu', undefined, threads ?? settings.threads), warnings, fellBack);
  }

  private config(runs: DiscoveredDevice, requested: DiscoveredDevice, settings: DeviceSettings, session: SessionConfig, warnings: Warning[], fellBack: boolean): ResolvedDeviceConfig {
    const config: ResolvedDeviceConfig = {
      deviceId: runs.id,
      requestedDeviceId: requested.id,
      name: runs.name,
      kind: runs.kind,
      session,
      settings,
      warnings,
      fellBack,
      readFreeMemory: () => this.readFreeMemory(runs),
    };
    const budget = memoryBudgetBytes(settings, runs);
    if (budget !== undefined) config.memoryBudgetBytes = budget;
    return config;
  }

  private announce(deviceId: string, warning: Warning, provider?: ProviderName): void {
    for (const listener of this.listeners) listener({ ...warning, deviceId, ...(provider ? { provider } : {}) });
  }

  /**
   * Free memory now: nvidia-smi for NVIDIA, amdgpu's sysfs counters for AMD on Linux, system
   * memory for the CPU and integrated GPUs. Where nothing can be read (e.g. AMD on Windows),
   * the reading at discovery stands in, then the total.
   */
  private async readFreeMemory(device: DiscoveredDevice): Promise<number> {
    const fallback = device.memoryFreeBytes ?? device.memoryTotalBytes ?? 0;
    if (device.vendor === 'NVIDIA' && device.pciBusId) {
      try {
        const fields = ['index', 'pci.bus_id', 'name', 'memory.free'];
        const text = await this.sources.nvidiaSmi(nvidiaSmiQueryArgs(fields));
        return (text === undefined ? undefined : parseNvidiaSmi(text, fields).find((g) => g.pciBusId === device.pciBusId)?.memoryFreeBytes) ?? fallback;
      } catch {
        return fallback;
      }
    }
    if (device.kind === 'discrete-gpu') {
      const memory = device.vendor === 'AMD' && device.pciBusId ? await this.sources.pciMemory(device.pciBusId) : undefined;
      return memory ? Math.max(0, memory.totalBytes - memory.usedBytes) : fallback;
    }
    return (await this.sources.cpu()).memoryFreeBytes;
  }
}

function sessionFor(provider: ProviderName, deviceId: number | undefined, threads: number | 'auto'): SessionConfig {
  return { provider, ...(deviceId === undefined ? {} : { deviceId }), ...(threads === 'auto' ? {} : { threads }) };
}

function memoryBudgetBytes(settings: DeviceSettings, device: DiscoveredDevice): number | undefined {
  const base = device.memoryFreeBytes ?? device.memoryTotalBytes;
  if (settings.memoryBudget.kind === 'bytes') return device.memoryTotalBytes === undefined ? settings.memoryBudget.value : Math.min(settings.memoryBudget.value, device.memoryTotalBytes);
  return base === undefined ? undefined : Math.floor(base * settings.memoryBudget.value);
}

function fallbackMessage(device: DiscoveredDevice, provider: ProviderName, reason?: string): string {
  if (provider === 'cpu' || !device.candidates.includes(provider)) {
    const reasons = Object.entries(device.unavailable).map(([p, why]) => `${providerLabel(p as ProviderName)}: ${why}`);
    return `${device.name} (${device.id}) has no provider that can run on it (${reasons.join('; ') || 'none found'}). Running on the CPU instead.`;
  }
  return `${device.name} (${device.id}): the ${providerLabel(provider)} provider could not be loaded: ${reason ?? device.unavailable[provider] ?? 'unknown reason'}. Running on the CPU instead.`;
}

function findDevice(devices: readonly DiscoveredDevice[], id: string): DiscoveredDevice {
  const device = devices.find((d) => d.id === id);
  if (!device) {
    throw new HeirloomError('DEVICE_NOT_FOUND', `No device with id "${id}" on this machine (devices: ${devices.map((d) => d.id).join(', ')}). Run "heirloom devices" to list them.`);
  }
  return device;
}

function cpuOf(devices: readonly DiscoveredDevice[]): DiscoveredDevice {
  const cpu = devices.find((d) => d.kind === 'cpu');
  if (!cpu) throw new HeirloomError('INTERNAL', 'Device discovery returned no CPU device.');
  return cpu;
}
