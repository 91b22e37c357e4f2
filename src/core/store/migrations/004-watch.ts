/** Migration 004: watch folders, processed content hashes (issue: watch mode). Reserved; filled by that issue. */
export const WATCH_MIGRATION = `
  SELECT 1;
`;
