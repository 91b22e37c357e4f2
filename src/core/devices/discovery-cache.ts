import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { ProviderNameSchema, type ProviderName } from '../../shared/devices.js';
import type { Discovery } from './discover-devices.js';
import type { ProbeOutcome, SessionProber } from './discovery-sources.js';

/** How long a discovery is reused: long enough for a run of commands, short enough that a GPU plugged in shows soon. */
export const DISCOVERY_CACHE_MS = 5 * 60_000;

const ProviderList = z.array(ProviderNameSchema);
const ProviderRecord = <T extends z.ZodType>(value: T) => z.partialRecord(ProviderNameSchema, value);

const DeviceSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  vendor: z.string(),
  kind: z.enum(['cpu', 'discrete-gpu', 'integrated-gpu']),
  architecture: z.string().optional(),
  pciBusId: z.string().optional(),
  memoryTotalBytes: z.number().nonnegative().optional(),
  memoryFreeBytes: z.number().nonnegative().optional(),
  driver: z.string().optional(),
  providers: ProviderList,
  providerDeviceIds: ProviderRecord(z.number().int().nonnegative()),
  candidates: ProviderList,
  unavailable: ProviderRecord(z.string()),
  probed: z.boolean(),
  computeCapability: z.string().optional(),
});

const ProbeSchema = z.object({ ok: z.boolean(), reason: z.string().optional(), ms: z.number(), at: z.number() });

const CacheFileSchema = z.object({
  version: z.literal(1),
  /** What the result depends on besides the hardware: a different one is a miss. */
  fingerprint: z.string(),
  discovery: z.object({ at: z.number(), devices: z.array(DeviceSchema).min(1), notes: z.array(z.string()) }).optional(),
  probes: z.record(z.string(), ProbeSchema),
});
type CacheFile = z.infer<typeof CacheFileSchema>;

/**
 * Device discovery and provider probes kept in a small JSON file in the data folder for a
 * few minutes, so a command does not pay for systeminformation, nvidia-smi and a session
 * probe on every start (a CUDA probe alone is about a second). Everything read back is
 * validated; an unreadable, invalid, stale or foreign file is a miss. Writes are atomic.
 * `clear()` invalidates it: on refresh, and when a session fails on a device it described.
 */
export class DiscoveryCache {
  constructor(
    private readonly path: string,
    /** platform, arch and the CUDA environment: the same hardware reads differently under another. */
    private readonly fingerprint: string,
    private readonly lifetimeMs = DISCOVERY_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fresh cached discovery, with when it was made. */
  readDiscovery(): { discovery: Discovery; at: number } | undefined {
    const file = this.read();
    if (!file?.discovery || !this.fresh(file.discovery.at)) return undefined;
    const { at, devices, notes } = file.discovery;
    return { discovery: { devices: devices as Discovery['devices'], notes }, at };
  }

  writeDiscovery(discovery: Discovery): void {
    const file = this.read() ?? this.empty();
    this.write({ ...file, discovery: { at: this.now(), devices: discovery.devices, notes: discovery.notes } });
  }

  readProbe(provider: ProviderName, deviceId: number | undefined): (ProbeOutcome & { at: number }) | undefined {
    const probe = this.read()?.probes[probeKey(provider, deviceId)];
    if (!probe || !this.fresh(probe.at)) return undefined;
    return { ok: probe.ok, ms: probe.ms, at: probe.at, ...(probe.reason !== undefined ? { reason: probe.reason } : {}) };
  }

  writeProbe(provider: ProviderName, deviceId: number | undefined, outcome: ProbeOutcome): void {
    const file = this.read() ?? this.empty();
    this.write({ ...file, probes: { ...file.probes, [probeKey(provider, deviceId)]: { ...outcome, at: this.now() } } });
  }

  /** Forgets everything (a refresh, or a session that failed where the cache said it would run). */
  clear(): void {
    rmSync(this.path, { force: true });
  }

  private fresh(at: number): boolean {
    const age = this.now() - at;
    return age >= 0 && age < this.lifetimeMs;
  }

  private empty(): CacheFile {
    return { version: 1, fingerprint: this.fingerprint, probes: {} };
  }

  private read(): CacheFile | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const file = CacheFileSchema.parse(JSON.parse(text));
      return file.fingerprint === this.fingerprint ? file : undefined;
    } catch {
      // A damaged or foreign-version file: drop it, discovery writes a new one.
      this.clear();
      return undefined;
    }
  }

  private write(file: CacheFile): void {
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, JSON.stringify(file));
      renameSync(temp, this.path);
    } catch {
      // A cache that cannot be written only costs the next start its discovery.
      rmSync(temp, { force: true });
    }
  }
}

function probeKey(provider: ProviderName, deviceId: number | undefined): string {
  return `${provider}:${deviceId ?? 'default'}`;
}

/** What a discovery depends on besides the hardware. */
export function discoveryFingerprint(env: Record<string, string | undefined>, platform: string = process.platform, arch: string = process.arch): string {
  return JSON.stringify([platform, arch, env.CUDA_VISIBLE_DEVICES ?? null, env.CUDA_DEVICE_ORDER ?? null, env.ONNXRUNTIME_NODE_INSTALL ?? null]);
}

/**
 * A prober that answers from the cache while it is fresh and records what it measures. A
 * failure answered from the cache says so in its reason, since that decides a fallback to
 * the CPU: the user then knows that `heirloom devices` checks again.
 */
export function cachedProbe(probe: SessionProber, cache: DiscoveryCache, now: () => number = Date.now): SessionProber {
  // What this process probed itself is answered as measured.
  const measured = new Map<string, Promise<ProbeOutcome>>();
  return async (provider, deviceId) => {
    const own = measured.get(probeKey(provider, deviceId));
    if (own) return own;
    const cached = cache.readProbe(provider, deviceId);
    if (cached) {
      const { at, ...outcome } = cached;
      if (outcome.ok) return outcome;
      const ago = Math.max(1, Math.round((now() - at) / 1000));
      return { ...outcome, reason: `${outcome.reason ?? 'the session probe failed'} (checked ${ago} s ago and remembered for a few minutes; "heirloom devices" checks again)` };
    }
    const outcome = probe(provider, deviceId).then((result) => {
      cache.writeProbe(provider, deviceId, result);
      return result;
    });
    measured.set(probeKey(provider, deviceId), outcome);
    return outcome;
  };
}
