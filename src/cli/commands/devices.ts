import type { Command } from 'commander';
import { PROVIDERS, type ProviderName } from '../../shared/devices.js';
import type { DeviceView } from '../../core/devices/device-service.js';
import { formatBytes, formatMemoryBudget } from '../../core/devices/setting-assignments.js';
import { oneOf } from '../options.js';
import { CliServices } from '../services.js';

/** Parser for `--provider` (restore, watch): one of the providers Heirloom knows. */
export const parseProvider = oneOf('--provider', PROVIDERS);

/** The device choice `restore` and `watch` pass to the engine. */
export interface DeviceChoiceOptions {
  device?: string;
  provider?: ProviderName;
}

/** Adds `--device ID` and `--provider NAME` to a command (watch uses this; restore declares its own). */
export function addDeviceOptions(command: Command): Command {
  return command
    .option('-d, --device <id>', 'device id (see "heirloom devices")')
    .option('--provider <name>', `execution provider for this run: ${PROVIDERS.join(', ')}`, parseProvider);
}

/** The RestoreRequest fields for the chosen device and provider. */
export function deviceChoice(options: DeviceChoiceOptions): { deviceId?: string; provider?: ProviderName } {
  return { ...(options.device ? { deviceId: options.device } : {}), ...(options.provider ? { provider: options.provider } : {}) };
}

export function registerDevices(program: Command): void {
  program
    .command('devices')
    .description('devices (CPU, GPUs) with the providers that really load on them and the settings in force')
    .option('--json', 'one device per line as JSON')
    .option('--home <dir>', 'data directory')
    .action(async (options: { json?: boolean; home?: string }) => {
      const services = new CliServices(options.home);
      try {
        const [devices, { notes }] = await Promise.all([services.devices.service.list(), services.devices.service.discover()]);
        for (const device of devices) {
          if (options.json) process.stdout.write(`${JSON.stringify(device)}\n`);
          else process.stdout.write(describeDevice(device));
        }
        for (const note of notes) process.stderr.write(`note: ${note}\n`);
      } finally {
        await services.dispose();
      }
    });
}

export function describeDevice(device: DeviceView): string {
  const lines = [`${device.id}  ${device.name}`];
  const facts = [kindLabel(device.kind), device.architecture && `${device.architecture}${device.computeCapability ? ` (compute ${device.computeCapability})` : ''}`, memoryLabel(device), device.driver && `driver ${device.driver}`];
  lines.push(`  ${facts.filter(Boolean).join(', ')}`);
  const usable = device.providers.map((p) => (device.providerDeviceIds[p] === undefined ? p : `${p} (device ${device.providerDeviceIds[p]})`));
  lines.push(`  providers: ${usable.join(', ') || 'none'}`);
  for (const [provider, reason] of Object.entries(device.unavailable)) lines.push(`    ${provider} unavailable: ${reason}`);
  const s = device.settings;
  const threads = s.threads === 'auto' ? 'threads auto' : `${s.threads} threads`;
  lines.push(`  settings: ${s.enabled ? 'enabled' : 'disabled'}, ${s.provider}, ${s.precision}, tile ${s.tileSize}, memory ${formatMemoryBudget(s.memoryBudget)}, batch up to ${s.maxBatch}, ${threads}`);
  for (const warning of device.warnings) lines.push(`  warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

function kindLabel(kind: DeviceView['kind']): string {
  return kind === 'cpu' ? 'CPU' : kind === 'discrete-gpu' ? 'discrete GPU' : 'integrated GPU (shares system memory)';
}

function memoryLabel(device: DeviceView): string | undefined {
  if (device.memoryTotalBytes === undefined) return undefined;
  return device.memoryFreeBytes === undefined ? `${formatBytes(device.memoryTotalBytes)}` : `${formatBytes(device.memoryFreeBytes)} free of ${formatBytes(device.memoryTotalBytes)}`;
}
