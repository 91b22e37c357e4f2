import type { CatalogModelView, ModelSummary } from '../../shared/contract-views.js';
import type { CatalogEntry } from '../../shared/model-catalog.js';
import type { InstalledModel } from '../models/model-registry.js';

/** An installed model as the page lists it. */
export function toModelSummary({ manifest }: InstalledModel, removable: boolean): ModelSummary {
  return { id: manifest.id, name: manifest.name, task: manifest.task, scale: manifest.scale, sizeBytes: manifest.sizeBytes, source: manifest.source, licence: manifest.licence.name, removable };
}

/** A catalog entry as the Models screen lists it. */
export function toCatalogModelView(entry: CatalogEntry, installed: boolean): CatalogModelView {
  return { id: entry.id, name: entry.name, task: entry.task, scale: entry.scale, sizeBytes: entry.sizeBytes, licence: entry.licence.name, licenceUrl: entry.licence.url, unverified: entry.sha256 === null, installed };
}
