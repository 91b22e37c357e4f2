import { DeviceSettingsSchema, type DeviceSettings } from '../../shared/devices.js';
import type { Db } from './database.js';

type SettingKey = keyof DeviceSettings;

interface Row {
  device_id: string;
  key: string;
  value: string;
  device_name: string | null;
}

export interface StoredDeviceSettings {
  deviceId: string;
  /** The device's name when the values were last set (shown for devices not plugged in). */
  deviceName: string | null;
  values: Partial<DeviceSettings>;
}

/** The user's per-device values (overrides of the presets), one row per device and key. */
export class DeviceSettingsStore {
  constructor(private readonly db: Db) {}

  /** The user's values for one device; a stored value that no longer validates is ignored. */
  get(deviceId: string): Partial<DeviceSettings> {
    const rows = this.db.prepare(`SELECT device_id, key, value, device_name FROM device_settings WHERE device_id = ?`).all(deviceId) as Row[];
    return toValues(rows);
  }

  /** Every device with stored values, including devices not present now. */
  list(): StoredDeviceSettings[] {
    const rows = this.db.prepare(`SELECT device_id, key, value, device_name FROM device_settings ORDER BY device_id, key`).all() as Row[];
    const byDevice = new Map<string, Row[]>();
    for (const row of rows) byDevice.set(row.device_id, [...(byDevice.get(row.device_id) ?? []), row]);
    return [...byDevice].map(([deviceId, deviceRows]) => ({ deviceId, deviceName: deviceRows.find((r) => r.device_name)?.device_name ?? null, values: toValues(deviceRows) }));
  }

  /** Writes values and removes reset keys in one transaction. */
  update(deviceId: string, change: { values: Partial<DeviceSettings>; reset?: readonly SettingKey[]; deviceName?: string }): void {
    const upsert = this.db.prepare(
      `INSERT INTO device_settings (device_id, key, value, device_name, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (device_id, key) DO UPDATE SET value = excluded.value, device_name = excluded.device_name, updated_at = excluded.updated_at`,
    );
    const remove = this.db.prepare(`DELETE FROM device_settings WHERE device_id = ? AND key = ?`);
    const now = Date.now();
    this.db.transaction(() => {
      for (const key of change.reset ?? []) remove.run(deviceId, key);
      for (const [key, value] of Object.entries(change.values)) {
        if (value !== undefined) upsert.run(deviceId, key, JSON.stringify(value), change.deviceName ?? null, now);
      }
    })();
  }
}

function toValues(rows: Row[]): Partial<DeviceSettings> {
  const values: Record<string, unknown> = {};
  const shape = DeviceSettingsSchema.shape;
  for (const row of rows) {
    if (!(row.key in shape)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.value);
    } catch {
      continue;
    }
    const check = shape[row.key as SettingKey].safeParse(parsed);
    if (check.success) values[row.key] = check.data;
  }
  return values as Partial<DeviceSettings>;
}
