import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { HeirloomError } from '../../../shared/errors.js';
import { ModelCatalogSchema, type CatalogEntry, type ModelCatalog } from '../../../shared/model-catalog.js';

export const CATALOG_FILE = 'catalog.json';

/** Reads and validates the catalog of downloadable models (by default `<bundled models>/catalog.json`). */
export async function loadCatalog(path: string): Promise<ModelCatalog> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    throw new HeirloomError('NOT_FOUND', `The model catalog ${path} cannot be read (${(error as Error).message}). Reinstall Heirloom.`, { file: path, cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HeirloomError('MODEL_INVALID', `The model catalog ${path} is not valid JSON (${(error as Error).message}).`, { file: path, cause: error });
  }
  const parsed = ModelCatalogSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new HeirloomError('MODEL_INVALID', `The model catalog ${path} is invalid (${issues}).`, { file: path });
  }
  return parsed.data;
}

/**
 * The catalog of downloadable models: `<bundled models>/catalog.json`, or the file
 * HEIRLOOM_MODEL_CATALOG names (a mirror's catalog; the tests' loopback server).
 */
export function catalogPath(bundledModelsDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.HEIRLOOM_MODEL_CATALOG ? resolve(env.HEIRLOOM_MODEL_CATALOG) : join(bundledModelsDir, CATALOG_FILE);
}

export function findCatalogEntry(catalog: ModelCatalog, id: string): CatalogEntry {
  const entry = catalog.models.find((m) => m.id === id);
  if (!entry) {
    throw new HeirloomError('MODEL_NOT_FOUND', `"${id}" is not in the model catalog. Downloadable models: ${catalog.models.map((m) => m.id).join(', ')}.`);
  }
  return entry;
}
