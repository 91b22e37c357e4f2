/** Migration 002: per-device settings (issue: devices). Reserved; filled by that issue. */
export const DEVICES_MIGRATION = `
  SELECT 1;
`;
