import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { SettleGate } from './settle-gate.js';
import { WatchFilter } from './watch-filter.js';

export interface FolderWatcherOptions {
  /** A file is taken once its size has not changed for this long. */
  stableMs: number;
  /** How often a file being written is looked at. */
  pollMs: number;
  /** How often the folder itself is checked (gone / back). */
  presenceMs: number;
}

export interface FolderWatcherListener {
  /** A complete file that looks like a photo (new, or changed). `initial`: found by the start-up scan. */
  photo(path: string, initial: boolean): void;
  /** A complete file that is not a photo by its name. */
  notPhoto(path: string): void;
  /** Watching; or the folder is missing (drive unplugged) or cannot be watched. */
  state(state: 'watching' | 'missing' | 'error', message?: string): void;
}

/**
 * One watched folder: chokidar (recursive, with write-finish detection) while the folder
 * is there, and a poll of the folder itself, because a watcher does not survive its folder
 * vanishing: when it is gone the watcher is closed and the folder is polled for; when it
 * returns it is watched again and scanned (so what was added meanwhile is found).
 */
export class FolderWatcher {
  private readonly root: string;
  private readonly filter: WatchFilter;
  private readonly gate: SettleGate;
  private watcher: FSWatcher | undefined;
  private presence: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private current: 'watching' | 'missing' | 'error' | 'stopped' = 'stopped';
  private stopped = false;

  constructor(
    path: string,
    outDir: string,
    private readonly listener: FolderWatcherListener,
    private readonly options: FolderWatcherOptions,
  ) {
    this.root = resolve(path);
    this.filter = new WatchFilter(this.root, outDir);
    this.gate = new SettleGate({ stableMs: options.stableMs, pollMs: options.pollMs });
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.checkPresence();
    // Kept referenced: a watched folder keeps the process alive, even while it is missing.
    this.presence = setInterval(() => void this.checkPresence(), this.options.presenceMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.presence) clearInterval(this.presence);
    this.presence = undefined;
    await this.checking;
    await this.closeWatcher();
    this.gate.dispose();
    this.current = 'stopped';
  }

  private checkPresence(): Promise<void> {
    // One check at a time: a slow stat on a sleeping drive must not pile up.
    this.checking ??= this.presenceCheck().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async presenceCheck(): Promise<void> {
    if (this.stopped) return;
    let present: boolean;
    let reason = '';
    try {
      present = (await fs.stat(this.root)).isDirectory();
      if (!present) reason = 'it is not a folder';
    } catch (error) {
      present = false;
      reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    }
    if (this.stopped) return;
    if (present && this.current !== 'watching') {
      try {
        await this.openWatcher();
        this.setState('watching');
      } catch (error) {
        await this.closeWatcher();
        this.setState('error', `${this.root} cannot be watched: ${(error as Error).message}. Heirloom keeps trying.`);
      }
    } else if (!present && this.current !== 'missing') {
      await this.closeWatcher();
      this.setState('missing', `${this.root} is missing (${reason}): unplugged drive or moved folder? Watching resumes when it is back.`);
    }
  }

  private setState(state: 'watching' | 'missing' | 'error', message?: string): void {
    this.current = state;
    this.listener.state(state, message);
  }

  private async openWatcher(): Promise<void> {
    const watcher = watch(this.root, {
      ignored: (path: string) => this.filter.isExcluded(path),
      ignoreInitial: false,
      persistent: true,
      followSymlinks: false,
      awaitWriteFinish: { stabilityThreshold: this.options.stableMs, pollInterval: this.options.pollMs },
    });
    this.watcher = watcher;
    let ready = false;
    const seen = (path: string) => {
      const initial = !ready;
      // chokidar waits for writes to finish only after its initial scan; the gate covers both.
      this.gate.watch(path, (stats) => {
        if (this.stopped || this.watcher !== watcher || !stats.isFile()) return;
        if (this.filter.isPhoto(path)) this.listener.photo(path, initial);
        else this.listener.notPhoto(path);
      });
    };
    watcher.on('add', seen);
    watcher.on('change', seen);
    watcher.on('unlink', (path: string) => this.gate.cancel(path));
    watcher.on('unlinkDir', (path: string) => {
      if (resolve(path) === this.root) void this.checkPresence();
    });
    watcher.on('error', () => void this.checkPresence());
    await new Promise<void>((resolveReady, reject) => {
      watcher.once('ready', () => {
        ready = true;
        resolveReady();
      });
      watcher.once('error', reject);
    });
  }

  private async closeWatcher(): Promise<void> {
    const watcher = this.watcher;
    this.watcher = undefined;
    this.gate.dispose();
    await watcher?.close();
  }
}
