import type { DeviceSettings, DeviceWithSettings } from '../../shared/devices.js';
import type { DeviceService } from '../devices/device-service.js';
import type { DeviceSettingsPort } from './ports.js';

const MIB = 1024 * 1024;

/**
 * The DeviceService as the studio's DeviceSettingsPort. The service takes the CLI's
 * `key=value` words (one parser and one set of validation messages for the CLI and the
 * app), so a patch from the settings panel is written in those words.
 */
export function deviceSettingsPort(service: Pick<DeviceService, 'list' | 'get' | 'updateSettings'>): DeviceSettingsPort {
  return {
    list: () => service.list() as Promise<DeviceWithSettings[]>,
    get: (deviceId) => service.get(deviceId),
    update: (deviceId, patch) => service.updateSettings(deviceId, toAssignments(patch)),
  };
}

/** A settings patch as `key=value` words, exactly (memory sizes in MB with decimals, never rounded). */
export function toAssignments(patch: { [K in keyof DeviceSettings]?: DeviceSettings[K] | undefined }): string[] {
  const words: string[] = [];
  for (const [key, value] of Object.entries(patch) as Array<[keyof DeviceSettings, DeviceSettings[keyof DeviceSettings] | undefined]>) {
    if (value === undefined) continue;
    if (key === 'memoryBudget') {
      const budget = value as DeviceSettings['memoryBudget'];
      words.push(`memoryBudget=${budget.kind === 'fraction' ? String(budget.value) : `${budget.value / MIB}MB`}`);
    } else {
      words.push(`${key}=${String(value)}`);
    }
  }
  return words;
}
