import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { FaceTemplateSchema, type FaceTemplateName, type ModelTask } from '../../shared/model-manifest.js';
import type { ModelManager } from '../../core/models/catalog/model-manager.js';
import type { DownloadProgress } from '../../core/models/catalog/resumable-download.js';
import type { InstalledModel } from '../../core/models/model-registry.js';
import { intInRange, oneOf } from '../options.js';
import { CliServices } from '../services.js';

interface CommonOptions {
  json?: boolean;
  home?: string;
}

/**
 * `heirloom models [list|download|import|remove]`. List is the default, so `heirloom models
 * --json` keeps printing one installed model per line. Errors are thrown as HeirloomError and
 * reported by main (USAGE exits 2, others 1).
 */
export function registerModels(program: Command): void {
  const models = program.command('models').description('list, download, import and remove restoration models');
  models.option('--json', 'machine-readable output, one JSON object per line').option('--home <dir>', 'data directory');
  const common = (command: Command): CommonOptions => command.optsWithGlobals<CommonOptions>();

  models
    .command('list', { isDefault: true })
    .description('installed models with id, scale, size and source (--available adds the downloadable catalog)')
    .option('--json', 'one model per line as JSON')
    .option('--home <dir>', 'data directory')
    .option('--available', 'also list catalog models that can be downloaded')
    .action(async (_options: { available?: boolean }, command: Command) => {
      const options = common(command) as CommonOptions & { available?: boolean };
      await withManager(options.home, async (services, manager) => {
        const installed = await services.models.list();
        for (const { manifest, path } of installed) {
          const row = { id: manifest.id, name: manifest.name, task: manifest.task, scale: manifest.scale, sizeBytes: manifest.sizeBytes, source: manifest.source, path };
          if (options.json) process.stdout.write(`${JSON.stringify(row)}\n`);
          else process.stdout.write(`${manifest.id.padEnd(28)} x${manifest.scale}  ${megabytes(manifest.sizeBytes).padStart(9)}  ${manifest.source.padEnd(10)} ${manifest.name}\n`);
        }
        if (!options.available) return;
        for (const { entry, installed: model } of await manager.available()) {
          if (model) continue;
          const row = { id: entry.id, name: entry.name, task: entry.task, scale: entry.scale, sizeBytes: entry.sizeBytes, source: 'available', sha256: entry.sha256, unverified: entry.unverified, licence: entry.licence.name, url: entry.url };
          if (options.json) process.stdout.write(`${JSON.stringify(row)}\n`);
          else {
            const size = entry.sizeBytes === null ? 'size ?' : megabytes(entry.sizeBytes);
            process.stdout.write(`${entry.id.padEnd(28)} x${entry.scale}  ${size.padStart(9)}  ${'available'.padEnd(10)} ${entry.name}${entry.unverified ? ' [no published checksum]' : ''} (${entry.licence.name})\n`);
          }
        }
      });
    });

  models
    .command('download')
    .description('download a catalog model, check its sha256 and install it (resumes an interrupted download)')
    .argument('<id>', 'catalog id (see "heirloom models list --available")')
    .option('--trust-unverified', 'install even though the catalog has no published checksum for it')
    .option('--force', 'download and install again even if a model with this id is installed')
    .option('--json', 'progress and result as JSON lines')
    .option('--home <dir>', 'data directory')
    .action(async (id: string, _options: unknown, command: Command) => {
      const options = common(command) as CommonOptions & { trustUnverified?: boolean; force?: boolean };
      await withManager(options.home, async (_services, manager) => {
        const abort = new AbortController();
        const onSignal = () => abort.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        const progress = options.json ? jsonProgress(id) : barProgress(id);
        try {
          const outcome = await manager.download(id, {
            trustUnverified: options.trustUnverified === true,
            force: options.force === true,
            onProgress: progress.update,
            signal: abort.signal,
          });
          progress.stop();
          report(options.json, outcome.model, {
            alreadyInstalled: outcome.alreadyInstalled,
            ...(outcome.url ? { url: outcome.url } : {}),
            ...(outcome.resumedFrom ? { resumedFrom: outcome.resumedFrom } : {}),
          });
        } finally {
          progress.stop();
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      });
    });

  models
    .command('import')
    .description('install a local model: <model.onnx>, or an NCNN pair <model.param> <model.bin>')
    .argument('<paths...>', 'a .onnx file, or a .param and a .bin file')
    .option('--id <id>', 'model id (default: from the file name)')
    .option('--scale <n>', 'upscale factor (checked against the model)', intInRange('--scale', 1, 8))
    .option('--task <task>', 'restore-upscale, face-restore or face-detect (ONNX only; default: from the signature)', oneOf('--task', ['restore-upscale', 'face-restore', 'face-detect'] as const))
    .option('--name <name>', 'display name')
    .option('--template <name>', 'face-restore models: the alignment template it was trained with, ffhq (default) or arcface_128', oneOf('--template', FaceTemplateSchema.options))
    .option('--overwrite', 'replace an installed model with the same id')
    .option('--json', 'the installed model as JSON')
    .option('--home <dir>', 'data directory')
    .action(async (paths: string[], _options: unknown, command: Command) => {
      const options = common(command) as CommonOptions & { id?: string; scale?: number; task?: ModelTask; name?: string; template?: FaceTemplateName; overwrite?: boolean };
      const shared = { ...(options.id ? { id: options.id } : {}), ...(options.scale ? { scale: options.scale } : {}), ...(options.name ? { name: options.name } : {}), overwrite: options.overwrite === true };
      await withManager(options.home, async (_services, manager) => {
        const model = await manager.importPaths(paths, { ...shared, ...(options.task ? { task: options.task } : {}), ...(options.template ? { template: options.template } : {}) });
        report(options.json, model, {});
      });
    });

  models
    .command('remove')
    .description('remove a downloaded or imported model (bundled models stay)')
    .argument('<id>', 'model id')
    .option('--json', 'the result as JSON')
    .option('--home <dir>', 'data directory')
    .action(async (id: string, _options: unknown, command: Command) => {
      const options = common(command);
      await withManager(options.home, async (_services, manager) => {
        const removed = await manager.remove(id);
        if (options.json) process.stdout.write(`${JSON.stringify({ type: 'model-removed', ...removed })}\n`);
        else process.stdout.write(`removed ${id} (${removed.dir})${removed.bundledRemains ? '; the bundled model with this id is in use again' : ''}\n`);
      });
    });
}

async function withManager(home: string | undefined, work: (services: CliServices, manager: ModelManager) => Promise<void>): Promise<void> {
  const services = new CliServices(home);
  try {
    await work(services, services.modelManager);
  } finally {
    await services.dispose();
  }
}

function report(json: boolean | undefined, model: InstalledModel, extra: Record<string, unknown>): void {
  const { manifest } = model;
  if (json) {
    process.stdout.write(`${JSON.stringify({ type: 'model-installed', id: manifest.id, name: manifest.name, task: manifest.task, scale: manifest.scale, sizeBytes: manifest.sizeBytes, sha256: manifest.sha256, source: manifest.source, ...(manifest.template ? { template: manifest.template } : {}), path: model.path, ...extra })}\n`);
    return;
  }
  const verb = extra.alreadyInstalled ? 'already installed:' : 'installed';
  process.stdout.write(`${verb} ${manifest.id} (${manifest.task}, x${manifest.scale}, ${megabytes(manifest.sizeBytes)}) -> ${model.dir}\n`);
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

interface ProgressSink {
  update: (p: DownloadProgress) => void;
  stop: () => void;
}

/** JSON lines, at most one per percent (or per 4 MB when the size is unknown). */
function jsonProgress(id: string): ProgressSink {
  let last = -1;
  return {
    update(p) {
      const step = p.totalBytes ? Math.floor((p.receivedBytes / p.totalBytes) * 100) : Math.floor(p.receivedBytes / 4e6);
      if (step === last && p.receivedBytes !== p.totalBytes) return;
      last = step;
      process.stdout.write(`${JSON.stringify({ type: 'download-progress', id, url: p.url, receivedBytes: p.receivedBytes, totalBytes: p.totalBytes, resumedFrom: p.resumedFrom })}\n`);
    },
    stop() {},
  };
}

/** A progress bar on stderr when it is a terminal; nothing otherwise. */
function barProgress(id: string): ProgressSink {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar({ stream: process.stderr, format: ` ${id} {bar} {percentage}% | {received} of {total}`, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(p) {
      const total = p.totalBytes ?? p.receivedBytes;
      const payload = { received: megabytes(p.receivedBytes), total: p.totalBytes ? megabytes(p.totalBytes) : '?' };
      if (!started) {
        bar.start(Math.max(1, total), p.receivedBytes, payload);
        started = true;
      } else {
        bar.setTotal(Math.max(1, total));
        bar.update(p.receivedBytes, payload);
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
