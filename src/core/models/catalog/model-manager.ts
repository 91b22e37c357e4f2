import { promises as fs } from 'node:fs';
import { basename, extname, join, resolve, sep } from 'node:path';
import { HeirloomError } from '../../../shared/errors.js';
import type { CatalogEntry, ModelCatalog } from '../../../shared/model-catalog.js';
import { ModelManifestSchema, type FaceTemplateName, type ModelManifest, type ModelTask } from '../../../shared/model-manifest.js';
import type { InstalledModel, ModelRegistry } from '../model-registry.js';
import type { ImportNcnnModelOptions } from '../ncnn/import-ncnn-model.js';
import { modelIdFromFileName } from '../ncnn/model-id-from-file-name.js';
import { findCatalogEntry, loadCatalog } from './catalog-loader.js';
import { installModelDir } from './install-model-dir.js';
import { checkSignature, guessTask, readOnnxSignature, type CheckedSignature } from './onnx-signature.js';
import { detectWeightsPrecision } from './onnx-weights-precision.js';
import { downloadResumable, hashFile, type DownloadProgress } from './resumable-download.js';

/** The engine's NCNN converter (src/core/models/ncnn/import-ncnn-model.ts), injected so this module stays testable. */
export type NcnnImporter = (options: ImportNcnnModelOptions) => Promise<ModelManifest>;

export interface ModelManagerDeps {
  registry: ModelRegistry;
  /** models/catalog.json. */
  catalogPath: string;
  importNcnn?: NcnnImporter;
}

export interface DownloadOptions {
  /** Install a catalog entry that has no published checksum. */
  trustUnverified?: boolean;
  /** Download and install again even when the id is installed (a user copy replaces the old one). */
  force?: boolean;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Transfers per URL before trying the next mirror (default 4). */
  attempts?: number;
  retryDelayMs?: number;
}

export interface DownloadOutcome {
  model: InstalledModel;
  alreadyInstalled: boolean;
  /** The URL the file came from, and the bytes resumed from an earlier partial download. */
  url?: string;
  resumedFrom?: number;
}

export interface ImportOnnxOptions {
  id?: string;
  /** Inferred from the signature when absent (YuNet outputs: face-detect; fixed square 256/512/1024: face-restore; else restore-upscale). */
  task?: ModelTask;
  name?: string;
  /** Upscale factor; measured by a test run when absent. */
  scale?: number;
  /** Face-restore models: the alignment template the model was trained with (default ffhq). */
  template?: FaceTemplateName;
  overwrite?: boolean;
}

export interface ImportNcnnOptions {
  id?: string;
  scale?: number;
  name?: string;
  overwrite?: boolean;
}

/** Default value ranges and channel order per task, as the public exports use them. */
const TASK_IO: Record<ModelTask, { channels: 'RGB' | 'BGR'; range: [number, number]; outRange: [number, number] }> = {
  'restore-upscale': { channels: 'RGB', range: [0, 1], outRange: [0, 1] },
  'face-restore': { channels: 'RGB', range: [-1, 1], outRange: [-1, 1] },
  'face-detect': { channels: 'BGR', range: [0, 255], outRange: [0, 1] },
  'damage-detect': { channels: 'RGB', range: [0, 1], outRange: [0, 1] },
};

/**
 * The model manager: the catalog of downloadable models, verified resumable downloads,
 * imports of local ONNX files (signature-checked against their task) and NCNN pairs
 * (converted by the engine's converter), and removal of user-installed models. Everything
 * is installed into the registry's user folder, atomically; bundled models are never touched.
 */
export class ModelManager {
  private catalogLoad: Promise<ModelCatalog> | undefined;

  constructor(private readonly deps: ModelManagerDeps) {}

  get userDir(): string {
    return this.deps.registry.userDir;
  }

  catalog(): Promise<ModelCatalog> {
    this.catalogLoad ??= loadCatalog(this.deps.catalogPath);
    return this.catalogLoad;
  }

  /** Every catalog entry with whether (and where) it is installed. */
  async available(): Promise<Array<{ entry: CatalogEntry; installed?: InstalledModel }>> {
    const installed = new Map((await this.deps.registry.list()).map((m) => [m.manifest.id, m]));
    return (await this.catalog()).models.map((entry) => {
      const model = installed.get(entry.id);
      return model ? { entry, installed: model } : { entry };
    });
  }

  async download(id: string, options: DownloadOptions = {}): Promise<DownloadOutcome> {
    const entry = findCatalogEntry(await this.catalog(), id);
    const existing = await this.find(id);
    if (existing && !options.force) return { model: existing, alreadyInstalled: true };
    if (entry.sha256 === null && !options.trustUnverified) {
      throw new HeirloomError(
        'USAGE',
        `The catalog has no verified sha256 for "${id}", so its download cannot be checked. Pass --trust-unverified to install it anyway, or import a copy you have checked ("heirloom models import").`,
      );
    }
    const downloads = join(this.userDir, '.downloads');
    await fs.mkdir(downloads, { recursive: true });
    const partPath = join(downloads, `${id}.onnx.part`);
    const { url, bytes, sha256, resumedFrom } = await this.fetchFromAnySource(entry, partPath, options);

    const discard = () => Promise.all([fs.rm(partPath, { force: true }), fs.rm(`${partPath}.json`, { force: true })]);
    if (entry.sizeBytes !== null && bytes !== entry.sizeBytes) {
      await discard();
      throw new HeirloomError('CHECKSUM_MISMATCH', `The download of "${id}" from ${url} is ${bytes} bytes, but the catalog says ${entry.sizeBytes}. It was deleted and nothing was installed; try again later or another mirror.`, { file: url });
    }
    if (entry.sha256 !== null && sha256 !== entry.sha256) {
      await discard();
      throw new HeirloomError('CHECKSUM_MISMATCH', `The download of "${id}" from ${url} has sha256 ${sha256}, but the catalog expects ${entry.sha256}. It was deleted and nothing was installed; the file on the server is not the one the catalog describes.`, { file: url });
    }
    let checked: CheckedSignature;
    try {
      checked = checkSignature(entry.task, await readOnnxSignature(partPath), `${id} (${url})`);
    } catch (error) {
      await discard();
      throw error;
    }
    const manifest = ModelManifestSchema.parse({
      id,
      name: entry.name,
      task: entry.task,
      scale: entry.scale,
      file: 'model.onnx',
      sha256,
      sizeBytes: bytes,
      input: { name: checked.inputName, layout: 'NCHW', channels: entry.input.channels, range: entry.input.range, ...(checked.size ? { size: checked.size } : {}) },
      output: { name: checked.outputName, range: entry.output.range },
      tileOverlap: entry.tileOverlap,
      weightsPrecision: entry.weightsPrecision,
      licence: { name: entry.licence.name, file: 'LICENSE.txt', source: entry.licence.url },
      source: 'downloaded',
      origin: `Downloaded by "heirloom models download ${id}" from ${url}; ${entry.sha256 === null ? 'no published checksum (installed with --trust-unverified)' : 'sha256 matched the catalog'}.`,
      ...(entry.template ? { template: entry.template } : {}),
      ...fidelity(checked),
    } satisfies ModelManifest);
    await installModelDir(
      this.userDir,
      id,
      [
        { name: 'model.onnx', moveFrom: partPath },
        { name: 'manifest.json', contents: `${JSON.stringify(manifest, null, 2)}\n` },
        { name: 'LICENSE.txt', contents: licenceNote(entry, url) },
      ],
      { replace: true },
    );
    await fs.rm(`${partPath}.json`, { force: true });
    return { model: await this.require(id), alreadyInstalled: false, url, resumedFrom };
  }

  /** `heirloom models import model.onnx`: checks the signature against the task, then installs a copy. */
  async importOnnx(path: string, options: ImportOnnxOptions = {}): Promise<InstalledModel> {
    const file = resolve(path);
    await requireFile(file);
    const signature = await readOnnxSignature(file, { probeScale: options.task === undefined || options.task === 'restore-upscale' });
    const task = options.task ?? guessTask(signature);
    const checked = checkSignature(task, signature, file);
    if (options.template && task !== 'face-restore') throw new HeirloomError('USAGE', `--template applies to face-restore models only; ${file} is imported as a ${task} model. Leave --template out.`, { file });
    const scale = importScale(task, options.scale, signature.probedScale, file);
    const id = this.checkedId(options.id ?? modelIdFromFileName(file));
    await this.refuseExisting(id, options.overwrite);
    const { bytes, sha256 } = await hashFile(file);
    const io = TASK_IO[task];
    const manifest = ModelManifestSchema.parse({
      id,
      name: options.name ?? `${basename(file)} (imported)`,
      task,
      scale,
      file: 'model.onnx',
      sha256,
      sizeBytes: bytes,
      input: { name: checked.inputName, layout: 'NCHW', channels: io.channels, range: io.range, ...(checked.size ? { size: checked.size } : {}) },
      output: { name: checked.outputName, range: io.outRange },
      tileOverlap: 0,
      weightsPrecision: await detectWeightsPrecision(file),
      licence: { name: 'unknown (user-supplied file)', source: file },
      source: 'imported',
      origin: `Imported with "heirloom models import" from ${basename(file)} (sha256 ${sha256}). Value ranges are the ${task} defaults (${io.range.join('..')} in, ${io.outRange.join('..')} out).`,
      ...(options.template ? { template: options.template } : {}),
      ...fidelity(checked),
    } satisfies ModelManifest);
    await installModelDir(
      this.userDir,
      id,
      [
        { name: 'model.onnx', copyFrom: file },
        { name: 'manifest.json', contents: `${JSON.stringify(manifest, null, 2)}\n` },
      ],
      { replace: options.overwrite === true },
    );
    return this.require(id);
  }

  /** `heirloom models import model.param model.bin`: the engine's NCNN converter does the work. */
  async importNcnn(paramPath: string, binPath: string, options: ImportNcnnOptions = {}): Promise<InstalledModel> {
    if (!this.deps.importNcnn) throw new HeirloomError('MODEL_CONVERSION_FAILED', 'This build of Heirloom has no NCNN converter; convert the model to ONNX and import the .onnx file.');
    await requireFile(resolve(paramPath));
    await requireFile(resolve(binPath));
    if (options.id) {
      this.checkedId(options.id);
      await this.refuseExisting(options.id, options.overwrite);
    }
    const manifest = await this.deps.importNcnn({
      paramPath: resolve(paramPath),
      binPath: resolve(binPath),
      modelsDir: this.userDir,
      ...(options.id ? { id: options.id } : {}),
      ...(options.scale ? { scale: options.scale } : {}),
      ...(options.name ? { name: options.name } : {}),
      overwrite: options.overwrite === true,
    });
    return this.require(manifest.id);
  }

  /**
   * `heirloom models import PATH...` (and the studio's Import): one .onnx file is checked and
   * copied, a .param and .bin pair goes to the NCNN converter; anything else is a usage error.
   */
  async importPaths(paths: readonly string[], options: ImportOnnxOptions = {}): Promise<InstalledModel> {
    const kinds = paths.map((p) => extname(p).toLowerCase());
    if (paths.length === 1 && kinds[0] === '.onnx') return this.importOnnx(paths[0]!, options);
    if (paths.length === 2 && kinds.includes('.param') && kinds.includes('.bin')) {
      if ((options.task && options.task !== 'restore-upscale') || options.template) throw new HeirloomError('USAGE', 'NCNN imports are restore-upscale models; leave --task and --template out.');
      const { task: _task, template: _template, ...ncnn } = options;
      return this.importNcnn(paths[kinds.indexOf('.param')]!, paths[kinds.indexOf('.bin')]!, ncnn);
    }
    throw new HeirloomError('USAGE', `A model import takes one .onnx file, or an NCNN .param and .bin pair; got ${paths.map((p) => basename(p)).join(', ') || 'nothing'}.`);
  }

  /** Whether a model is the user's (downloaded, imported) and so may be removed; bundled models never are. */
  removable(model: InstalledModel): boolean {
    return resolve(model.dir).startsWith(resolve(this.userDir) + sep);
  }

  /** Removes a user-installed model. A bundled model is never removed; a user copy shadowing one is, and the bundled one returns. */
  async remove(id: string): Promise<{ id: string; dir: string; bundledRemains: boolean }> {
    const model = await this.find(id);
    if (!model) throw new HeirloomError('MODEL_NOT_FOUND', `No model with id "${id}" is installed. Run "heirloom models" to list them.`);
    if (!this.removable(model)) {
      throw new HeirloomError('PERMISSION_DENIED', `"${id}" is bundled with Heirloom and cannot be removed.`, { file: model.dir });
    }
    // Rename first: the model disappears at once even if deleting its files takes a while.
    const retired = join(this.userDir, `.removing-${id}-${process.pid}-${Date.now()}`);
    await fs.rename(model.dir, retired);
    await fs.rm(retired, { recursive: true, force: true });
    return { id, dir: model.dir, bundledRemains: (await this.find(id)) !== undefined };
  }

  private async fetchFromAnySource(entry: CatalogEntry, partPath: string, options: DownloadOptions): Promise<{ url: string; bytes: number; sha256: string; resumedFrom: number }> {
    const urls = [entry.url, ...entry.mirrors];
    let lastError: unknown;
    for (const url of urls) {
      try {
        const result = await downloadResumable({
          url,
          partPath,
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.attempts ? { attempts: options.attempts } : {}),
          ...(options.retryDelayMs !== undefined ? { retryDelayMs: options.retryDelayMs } : {}),
        });
        return { url, ...result };
      } catch (error) {
        if (!(error instanceof HeirloomError) || error.code !== 'DOWNLOAD_FAILED') throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  private async find(id: string): Promise<InstalledModel | undefined> {
    return (await this.deps.registry.list()).find((m) => m.manifest.id === id);
  }

  private async require(id: string): Promise<InstalledModel> {
    const model = await this.find(id);
    if (!model) throw new HeirloomError('INTERNAL', `Model "${id}" was installed but cannot be read back from ${this.userDir}.`);
    return model;
  }

  private checkedId(id: string): string {
    if (!ModelManifestSchema.shape.id.safeParse(id).success) {
      throw new HeirloomError('USAGE', `"${id}" cannot be a model id: use 1 to 64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit.`);
    }
    return id;
  }

  private async refuseExisting(id: string, overwrite: boolean | undefined): Promise<void> {
    const existing = await this.find(id);
    if (existing && !overwrite) {
      throw new HeirloomError('OUTPUT_EXISTS', `A model with id "${id}" is already installed (${existing.manifest.source}). Choose another --id, or pass --overwrite to install yours in its place.`, { file: existing.dir });
    }
  }
}

function fidelity(checked: CheckedSignature): Pick<ModelManifest, 'extraInputs'> {
  if (checked.fidelityInputs.length === 0) return {};
  return { extraInputs: Object.fromEntries(checked.fidelityInputs.map((name) => [name, { kind: 'fidelity' as const }])) };
}

function importScale(task: ModelTask, requested: number | undefined, probed: number | undefined, file: string): number {
  if (task !== 'restore-upscale') {
    if (requested !== undefined && requested !== 1) throw new HeirloomError('USAGE', `--scale ${requested} does not apply to a ${task} model (${file}); leave it out.`);
    return 1;
  }
  if (requested !== undefined && probed !== undefined && requested !== probed) {
    throw new HeirloomError('USAGE', `--scale ${requested} contradicts ${file}, which upscales by ${probed}; leave --scale out or give ${probed}.`, { file });
  }
  const scale = requested ?? probed;
  if (scale === undefined || !Number.isInteger(scale) || scale < 1 || scale > 8) {
    throw new HeirloomError('MODEL_INVALID', `The upscale factor of ${file} could not be measured; pass --scale N (1 to 8).`, { file });
  }
  return scale;
}

async function requireFile(path: string): Promise<void> {
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) throw new HeirloomError('NOT_A_FILE', `${path} is not a file.`, { file: path });
  } catch (error) {
    if (error instanceof HeirloomError) throw error;
    throw new HeirloomError('NOT_FOUND', `${path} does not exist. Check the path.`, { file: path, cause: error });
  }
}

function licenceNote(entry: CatalogEntry, url: string): string {
  return [
    `${entry.name}`,
    '',
    `Licence: ${entry.licence.name}`,
    `Licence text: ${entry.licence.url}`,
    `Downloaded from: ${url}`,
    '',
    'Heirloom does not redistribute this model; it was downloaded on request. Its licence terms',
    'apply to your use of it (some face models are for non-commercial use only).',
    '',
  ].join('\n');
}

