import type { Command } from 'commander';
import { HeirloomError, toErrorInfo } from '../../shared/errors.js';
import type { DeviceView } from '../../core/devices/device-service.js';
import { formatSettingValue, SETTING_KEYS } from '../../core/devices/setting-assignments.js';
import { CliServices } from '../services.js';

const EXIT_USAGE = 2;
/** A wrong device id or setting is a usage error (exit 2), like a bad option. */
const USAGE_CODES = new Set(['USAGE', 'INVALID_SETTING', 'DEVICE_NOT_FOUND']);

export function registerSettings(program: Command): void {
  const settings = program.command('settings').description('per-device settings: presets by architecture, your values on top');

  settings
    .command('get')
    .description('the settings of one device, or of every device (also devices not plugged in that have stored values)')
    .argument('[device]', 'device id (see "heirloom devices")')
    .option('--json', 'one device per line as JSON')
    .option('--home <dir>', 'data directory')
    .action(async (deviceId: string | undefined, options: { json?: boolean; home?: string }) => {
      await withServices(options, async (services) => {
        const devices = deviceId ? [await getPresentOrStored(services, deviceId, options)] : await services.devices.service.list();
        for (const device of devices) if (device) print(device, options.json);
        if (!deviceId) for (const absent of await services.devices.service.absentDeviceSettings()) printAbsent(absent, options.json);
      });
    });

  settings
    .command('set')
    .description(`store settings for a device: key=value ... (keys: ${SETTING_KEYS.join(', ')}; value "default" restores the preset)`)
    .argument('<device>', 'device id (see "heirloom devices")')
    .argument('<assignments...>', 'key=value pairs, e.g. precision=fp16 memoryBudget=80% maxBatch=4 tileSize=auto')
    .option('--json', 'the device as JSON after the change')
    .option('--home <dir>', 'data directory')
    .action(async (deviceId: string, assignments: string[], options: { json?: boolean; home?: string }) => {
      await withServices(options, async (services) => {
        print(await services.devices.service.updateSettings(deviceId, assignments), options.json);
      });
    });
}

async function withServices(options: { json?: boolean; home?: string }, work: (services: CliServices) => Promise<void>): Promise<void> {
  const services = new CliServices(options.home);
  try {
    await work(services);
  } catch (error) {
    if (!(error instanceof HeirloomError) || !USAGE_CODES.has(error.code)) throw error;
    const info = toErrorInfo(error);
    if (options.json) process.stdout.write(`${JSON.stringify({ type: 'error', ...info })}\n`);
    process.stderr.write(`heirloom: ${info.message}\n`);
    process.exitCode = EXIT_USAGE;
  } finally {
    await services.dispose();
  }
}

/** A device id that is not present but has stored values is shown from the store. */
async function getPresentOrStored(services: CliServices, deviceId: string, options: { json?: boolean }): Promise<DeviceView | undefined> {
  try {
    return await services.devices.service.get(deviceId);
  } catch (error) {
    const stored = (await services.devices.service.absentDeviceSettings()).find((s) => s.deviceId === deviceId);
    if (!stored || !(error instanceof HeirloomError) || error.code !== 'DEVICE_NOT_FOUND') throw error;
    printAbsent(stored, options.json);
    return undefined;
  }
}

function print(device: DeviceView, json: boolean | undefined): void {
  if (json) {
    const { id, name, kind, configured, settings, overrides, runsOn, warnings } = device;
    process.stdout.write(`${JSON.stringify({ id, name, kind, present: true, settings: configured, inForce: settings, overrides, runsOn, warnings })}\n`);
    return;
  }
  const lines = [`${device.id}  ${device.name}`];
  for (const key of SETTING_KEYS) {
    const source = device.overrides[key] === undefined ? 'preset' : 'yours';
    lines.push(`  ${key.padEnd(13)} ${formatSettingValue(key, device.configured).padEnd(14)} ${source}`);
  }
  for (const warning of device.warnings) lines.push(`  warning: ${warning}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printAbsent(stored: { deviceId: string; deviceName: string | null; values: Record<string, unknown> }, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ id: stored.deviceId, name: stored.deviceName, present: false, overrides: stored.values })}\n`);
    return;
  }
  const values = Object.entries(stored.values).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  process.stdout.write(`${stored.deviceId}  ${stored.deviceName ?? ''} (not present; your values: ${values.join(' ')})\n`);
}
