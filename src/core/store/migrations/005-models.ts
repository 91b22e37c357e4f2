/** Migration 005: model manager downloads (issue: faces/model manager). Reserved; filled by that issue. */
export const MODELS_MIGRATION = `
  SELECT 1;
`;
