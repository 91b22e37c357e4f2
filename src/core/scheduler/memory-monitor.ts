import { promises as fs } from 'node:fs';
import { freemem } from 'node:os';

/** Reads a device's free memory in bytes (one raw, possibly jumpy, reading). */
export type FreeMemoryReader = () => Promise<number>;

export interface MemoryMonitorOptions {
  /** Minimum time between two real readings; callers in between get the cached value. */
  ttlMs?: number;
  /** Readings in the moving average. */
  window?: number;
  now?: () => number;
}

/**
 * Free memory of one device, read at most every `ttlMs`, cached, and smoothed with a moving
 * average: successive readings jump (other programs, the allocator's own arena), and the
 * recommendation shown to the user should not jump with them.
 */
export class MemoryMonitor {
  private readonly ttlMs: number;
  private readonly window: number;
  private readonly now: () => number;
  private readonly readings: number[] = [];
  private lastReadAt = -Infinity;
  private pending: Promise<number> | undefined;

  constructor(
    private readonly read: FreeMemoryReader,
    options: MemoryMonitorOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 3000;
    this.window = options.window ?? 5;
    this.now = options.now ?? Date.now;
  }

  /** The smoothed free bytes; reads the device only when the cache is older than the TTL. */
  async freeBytes(): Promise<number> {
    if (this.readings.length > 0 && this.now() - this.lastReadAt < this.ttlMs) return this.smoothed();
    this.pending ??= this.read().finally(() => (this.pending = undefined));
    const value = await this.pending;
    if (this.now() - this.lastReadAt >= this.ttlMs) {
      this.lastReadAt = this.now();
      this.readings.push(value);
      if (this.readings.length > this.window) this.readings.shift();
    }
    return this.smoothed();
  }

  /** Last smoothed value without reading (0 before the first reading). */
  cached(): number {
    return this.readings.length === 0 ? 0 : this.smoothed();
  }

  private smoothed(): number {
    return Math.round(this.readings.reduce((a, b) => a + b, 0) / this.readings.length);
  }
}

/**
 * Memory the CPU device may use: MemAvailable, bounded by a cgroup limit when this process
 * runs in a container (v2 memory.max - memory.current, or v1 limit - usage).
 */
export async function readCpuAvailableMemory(root = '/'): Promise<number> {
  const host = (await readMemAvailable(root)) ?? freemem();
  const cgroup = await readCgroupHeadroom(root);
  return cgroup === undefined ? host : Math.min(host, cgroup);
}

async function readMemAvailable(root: string): Promise<number | undefined> {
  try {
    const text = await fs.readFile(`${root}proc/meminfo`, 'utf8');
    const match = /^MemAvailable:\s+(\d+)\s+kB/m.exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function readNumber(path: string): Promise<number | undefined> {
  try {
    const text = (await fs.readFile(path, 'utf8')).trim();
    if (text === 'max') return undefined;
    const n = Number(text);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

async function readCgroupHeadroom(root: string): Promise<number | undefined> {
  const v2Limit = await readNumber(`${root}sys/fs/cgroup/memory.max`);
  if (v2Limit !== undefined) {
    const used = (await readNumber(`${root}sys/fs/cgroup/memory.current`)) ?? 0;
    return Math.max(0, v2Limit - used);
  }
  const v1Limit = await readNumber(`${root}sys/fs/cgroup/memory/memory.limit_in_bytes`);
  // v1 reports "no limit" as a huge page-aligned number.
  if (v1Limit !== undefined && v1Limit < 2 ** 60) {
    const used = (await readNumber(`${root}sys/fs/cgroup/memory/memory.usage_in_bytes`)) ?? 0;
    return Math.max(0, v1Limit - used);
  }
  return undefined;
}
