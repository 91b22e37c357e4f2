import type { ModelDownloadView } from '../../shared/contract-views.js';
import { HeirloomError, toErrorInfo } from '../../shared/errors.js';
import { findCatalogEntry } from '../models/catalog/catalog-loader.js';
import type { DownloadOptions, DownloadOutcome, ModelManager } from '../models/catalog/model-manager.js';
import type { DownloadProgress } from '../models/catalog/resumable-download.js';
import { ChangeCoalescer, systemClock, type TimerClock } from './restore-event-throttle.js';

/** What the downloads need of the model manager (the CLI's, shared through CoreServices). */
export type DownloadingManager = Pick<ModelManager, 'catalog'> & { download(id: string, options: DownloadOptions): Promise<DownloadOutcome> };

export interface ModelDownloadsOptions {
  manager: DownloadingManager;
  /** A download's progress (at most once per interval) and its end (always). */
  onUpdate: (view: ModelDownloadView) => void;
  /** A download installed a model: the installed list changed. */
  onInstalled: () => void;
  intervalMs?: number;
  clock?: TimerClock;
}

/** Speed is measured over this much of the latest transfer. */
const SPEED_WINDOW_MS = 3000;

interface Running {
  view: ModelDownloadView;
  abort: AbortController;
  settled: Promise<void>;
  samples: Array<{ at: number; bytes: number }>;
  updates: ChangeCoalescer;
}

/**
 * The studio's model downloads: each runs in the background through the model manager
 * (verified, resumable, installed atomically), reports bytes, percent and speed to the page,
 * and can be cancelled. A cancelled or failed download installs nothing; its partial file
 * stays in the manager's download folder so the next try resumes it.
 */
export class ModelDownloads {
  private readonly running = new Map<string, Running>();
  /** The latest state of every download of this run, finished ones included. */
  private readonly views = new Map<string, ModelDownloadView>();
  private readonly clock: TimerClock;

  constructor(private readonly options: ModelDownloadsOptions) {
    this.clock = options.clock ?? systemClock;
  }

  list(): ModelDownloadView[] {
    return [...this.views.values()].map((v) => ({ ...v }));
  }

  /** Starts downloading a catalog model (or returns the download already running for it). */
  async start(id: string, options: { trustUnverified?: boolean } = {}): Promise<ModelDownloadView> {
    const current = this.running.get(id);
    if (current) return { ...current.view };
    const entry = findCatalogEntry(await this.options.manager.catalog(), id);
    // Checked again after the await: a second click may have started it meanwhile.
    const again = this.running.get(id);
    if (again) return { ...again.view };
    const view: ModelDownloadView = { id, name: entry.name, state: 'downloading', receivedBytes: 0, totalBytes: entry.sizeBytes, bytesPerSecond: 0, resumedFrom: 0 };
    const running: Running = {
      view,
      abort: new AbortController(),
      settled: Promise.resolve(),
      samples: [],
      updates: new ChangeCoalescer(() => this.options.onUpdate({ ...view }), this.options.intervalMs ?? 100, this.clock),
    };
    this.running.set(id, running);
    this.views.set(id, view);
    running.settled = this.run(running, options.trustUnverified === true);
    running.updates.changed();
    return { ...view };
  }

  /** Stops a download and waits until it has stopped; nothing is installed. */
  async cancel(id: string): Promise<ModelDownloadView> {
    const running = this.running.get(id);
    if (!running) {
      const last = this.views.get(id);
      if (last) return { ...last };
      throw new HeirloomError('NOT_FOUND', `No download of "${id}" is running.`);
    }
    running.abort.abort();
    await running.settled;
    return { ...this.views.get(id)! };
  }

  /** Resolves when the download of `id` (if any) has ended. */
  async settled(id: string): Promise<void> {
    await this.running.get(id)?.settled;
  }

  async dispose(): Promise<void> {
    const all = [...this.running.values()];
    for (const running of all) running.abort.abort();
    await Promise.all(all.map((r) => r.settled));
  }

  private async run(running: Running, trustUnverified: boolean): Promise<void> {
    const { view } = running;
    try {
      const outcome = await this.options.manager.download(view.id, {
        trustUnverified,
        signal: running.abort.signal,
        onProgress: (progress) => this.progress(running, progress),
      });
      view.state = 'installed';
      view.receivedBytes = outcome.model.manifest.sizeBytes;
      view.totalBytes = outcome.model.manifest.sizeBytes;
      this.options.onInstalled();
    } catch (error) {
      const info = toErrorInfo(error);
      view.state = info.code === 'CANCELLED' || running.abort.signal.aborted ? 'cancelled' : 'failed';
      if (view.state === 'failed') view.error = info;
    } finally {
      view.bytesPerSecond = 0;
      running.updates.dispose();
      this.running.delete(view.id);
      this.options.onUpdate({ ...view });
    }
  }

  private progress(running: Running, progress: DownloadProgress): void {
    const { view, samples } = running;
    const now = this.clock.now();
    // A new transfer (a retry resuming the file) starts a new measure.
    if (samples.length > 0 && progress.receivedBytes < samples.at(-1)!.bytes) samples.length = 0;
    samples.push({ at: now, bytes: progress.receivedBytes });
    while (samples.length > 2 && now - samples[0]!.at > SPEED_WINDOW_MS) samples.shift();
    const first = samples[0]!;
    const span = now - first.at;
    view.receivedBytes = progress.receivedBytes;
    view.totalBytes = progress.totalBytes ?? view.totalBytes;
    view.resumedFrom = progress.resumedFrom;
    if (span >= 200) view.bytesPerSecond = Math.round(((progress.receivedBytes - first.bytes) * 1000) / span);
    running.updates.changed();
  }
}
