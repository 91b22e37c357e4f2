import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { HeirloomError } from '../../shared/errors.js';
import { ModelManifestSchema, type ModelManifest } from '../../shared/model-manifest.js';

export interface InstalledModel {
  manifest: ModelManifest;
  /** Folder holding manifest.json and the model file. */
  dir: string;
  /** Absolute path of the ONNX file. */
  path: string;
}

/**
 * Models bundled with the app plus those the user installed (imported, downloaded) in the
 * data directory. A user's model with the same id as a bundled one takes precedence.
 */
export class ModelRegistry {
  constructor(
    private readonly bundledDir: string,
    readonly userDir: string,
  ) {}

  async list(): Promise<InstalledModel[]> {
    const byId = new Map<string, InstalledModel>();
    for (const dir of [this.bundledDir, this.userDir]) {
      for (const model of await readModelsIn(dir)) byId.set(model.manifest.id, model);
    }
    return [...byId.values()].sort((a, b) => a.manifest.id.localeCompare(b.manifest.id));
  }

  async get(id: string): Promise<InstalledModel> {
    const model = (await this.list()).find((m) => m.manifest.id === id);
    if (!model) {
      const known = (await this.list()).map((m) => m.manifest.id).join(', ') || 'none';
      throw new HeirloomError('MODEL_NOT_FOUND', `No model with id "${id}" is installed (installed: ${known}). Run "heirloom models" to list them or "heirloom models import" to add one.`);
    }
    return model;
  }
}

async function readModelsIn(root: string): Promise<InstalledModel[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(root);
  } catch {
    return [];
  }
  const models: InstalledModel[] = [];
  for (const entry of entries.sort()) {
    if (entry.startsWith('.')) continue; // temporary install folders
    const dir = join(root, entry);
    const manifestPath = join(dir, 'manifest.json');
    let text: string;
    try {
      text = await fs.readFile(manifestPath, 'utf8');
    } catch {
      continue;
    }
    models.push(loadManifest(text, dir, manifestPath));
  }
  return models;
}

export function loadManifest(text: string, dir: string, manifestPath: string): InstalledModel {
  const parsed = ModelManifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new HeirloomError('MODEL_INVALID', `The model manifest ${manifestPath} is invalid (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}). Reinstall the model.`, { file: manifestPath });
  }
  return { manifest: parsed.data, dir, path: join(dir, parsed.data.file) };
}
