import { HeirloomError } from '../../shared/errors.js';
import { PROVIDERS, type DeviceSettings, type MemoryBudget, type ProviderName } from '../../shared/devices.js';

export const SETTING_KEYS = ['enabled', 'provider', 'precision', 'tileSize', 'memoryBudget', 'maxBatch', 'threads'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

export interface SettingChanges {
  values: Partial<DeviceSettings>;
  /** Keys set to "default": the user's value is dropped and the preset applies again. */
  reset: SettingKey[];
}

/** What a value is checked against. */
export interface SettingTarget {
  id: string;
  candidates: readonly ProviderName[];
  unavailable: Partial<Record<ProviderName, string>>;
  memoryTotalBytes?: number;
}

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

const HELP: Record<SettingKey, string> = {
  enabled: 'true or false',
  provider: PROVIDERS.join(', '),
  precision: 'fp32 or fp16',
  tileSize: 'auto, 0 (whole photo) or a whole number from 32 to 8192',
  memoryBudget: 'a fraction of free memory (0.8 or 80%) or a size (6GB, 512MB)',
  maxBatch: 'a whole number from 1 to 64',
  threads: 'auto or a whole number from 1 to 256',
};

/** Parses `key=value` words (kebab-case keys accepted: tile-size, memory-budget, max-batch). */
export function parseSettingAssignments(assignments: readonly string[], target: SettingTarget): SettingChanges {
  if (assignments.length === 0) throw invalid(`Nothing to set: give one or more key=value pairs (keys: ${SETTING_KEYS.join(', ')}).`);
  const values: Partial<DeviceSettings> = {};
  const reset: SettingKey[] = [];
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw invalid(`"${assignment}" is not key=value (keys: ${SETTING_KEYS.join(', ')}).`);
    const key = settingKey(assignment.slice(0, eq).trim());
    const text = assignment.slice(eq + 1).trim();
    if (text.toLowerCase() === 'default') {
      reset.push(key);
      delete values[key];
      continue;
    }
    assignValue(values, key, text, target);
  }
  return { values, reset: [...new Set(reset)] };
}

export function settingKey(name: string): SettingKey {
  const camel = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const key = SETTING_KEYS.find((k) => k.toLowerCase() === camel.toLowerCase());
  if (!key) throw invalid(`Unknown setting "${name}". Device settings are: ${SETTING_KEYS.join(', ')}.`);
  return key;
}

function assignValue(values: Partial<DeviceSettings>, key: SettingKey, text: string, target: SettingTarget): void {
  const bad = () => invalid(`${key}=${text} is not valid for device ${target.id}: ${key} takes ${HELP[key]}.`);
  switch (key) {
    case 'enabled': {
      const lower = text.toLowerCase();
      if (['true', 'yes', 'on', '1'].includes(lower)) values.enabled = true;
      else if (['false', 'no', 'off', '0'].includes(lower)) values.enabled = false;
      else throw bad();
      return;
    }
    case 'provider': {
      const provider = text.toLowerCase() as ProviderName;
      if (!PROVIDERS.includes(provider)) throw bad();
      if (!target.candidates.includes(provider)) {
        const cpuOnly = target.candidates.length === 1 && target.candidates[0] === 'cpu';
        const why =
          target.unavailable[provider] ??
          (provider === 'cpu' ? 'a GPU does not run the CPU provider (set enabled=false to stop using it)' : cpuOnly ? 'the CPU runs only the cpu provider; GPU providers belong to the GPU devices (see "heirloom devices")' : 'it is not a provider for this kind of device');
        throw invalid(`Device ${target.id} cannot use the ${provider} provider: ${why}. It can use: ${target.candidates.join(', ') || 'none'}.`);
      }
      values.provider = provider;
      return;
    }
    case 'precision':
      if (text !== 'fp32' && text !== 'fp16') throw bad();
      values.precision = text;
      return;
    case 'tileSize': {
      if (text === 'auto') values.tileSize = 'auto';
      else {
        const n = wholeNumber(text);
        if (n === undefined || (n !== 0 && (n < 32 || n > 8192))) throw bad();
        values.tileSize = n;
      }
      return;
    }
    case 'memoryBudget': {
      const budget = parseMemoryBudget(text);
      if (!budget) throw bad();
      if (budget.kind === 'bytes' && target.memoryTotalBytes !== undefined && budget.value > target.memoryTotalBytes) {
        throw invalid(`memoryBudget=${text} is more than device ${target.id} has (${formatBytes(target.memoryTotalBytes)}).`);
      }
      values.memoryBudget = budget;
      return;
    }
    case 'maxBatch': {
      const n = wholeNumber(text);
      if (n === undefined || n < 1 || n > 64) throw bad();
      values.maxBatch = n;
      return;
    }
    case 'threads': {
      if (text === 'auto') values.threads = 'auto';
      else {
        const n = wholeNumber(text);
        if (n === undefined || n < 1 || n > 256) throw bad();
        values.threads = n;
      }
      return;
    }
  }
}

/** "0.8" or "80%" is a fraction of free memory; "6GB", "6.5 GiB" or "512MB" a size (GB = 1024³ bytes). */
export function parseMemoryBudget(text: string): MemoryBudget | undefined {
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (percent) {
    const value = Number(percent[1]) / 100;
    return value > 0 && value <= 1 ? { kind: 'fraction', value } : undefined;
  }
  if (/^\d*\.?\d+$/.test(text)) {
    const value = Number(text);
    return value > 0 && value <= 1 ? { kind: 'fraction', value } : undefined;
  }
  const size = /^(\d+(?:\.\d+)?)\s*(g|gb|gib|m|mb|mib)$/i.exec(text);
  if (!size) return undefined;
  const unit = size[2]!.toLowerCase().startsWith('g') ? GIB : MIB;
  const value = Math.round(Number(size[1]) * unit);
  return value >= 64 * MIB ? { kind: 'bytes', value } : undefined;
}

export function formatMemoryBudget(budget: MemoryBudget): string {
  return budget.kind === 'fraction' ? `${Math.round(budget.value * 1000) / 10}% of free` : formatBytes(budget.value);
}

export function formatBytes(bytes: number): string {
  return bytes >= GIB ? `${(bytes / GIB).toFixed(1)} GB` : `${Math.round(bytes / MIB)} MB`;
}

export function formatSettingValue(key: SettingKey, settings: DeviceSettings): string {
  const value = settings[key];
  if (key === 'memoryBudget') return formatMemoryBudget(settings.memoryBudget);
  return String(value);
}

function wholeNumber(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function invalid(message: string): HeirloomError {
  return new HeirloomError('INVALID_SETTING', message);
}
