/**
 * Migration 002: per-device settings (issue: devices). Only the user's own values are stored,
 * one row per device and key; presets fill in the rest at read time, so better presets in a
 * later release reach every key the user never touched. Rows of a device that is not plugged
 * in stay, and apply again when it returns (ids are stable: PCI bus id, else vendor + name).
 */
export const DEVICES_MIGRATION = `
  CREATE TABLE device_settings (
    device_id   TEXT NOT NULL,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    device_name TEXT,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (device_id, key)
  ) WITHOUT ROWID;
`;
