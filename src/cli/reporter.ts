import cliProgress from 'cli-progress';
import type { RestoreEvent } from '../shared/events.js';

export interface Reporter {
  event(event: RestoreEvent): void;
  close(): void;
}

/** --json: one JSON object per line on stdout, nothing else on stdout. */
export class JsonReporter implements Reporter {
  event(event: RestoreEvent): void {
    process.stdout.write(`${JSON.stringify(event)}\n`);
  }
  close(): void {}
}

/** People: a progress bar on stderr, one line per finished or failed photo. */
export class HumanReporter implements Reporter {
  private readonly bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: ' {bar} {percentage}% | {done}/{total} photos | {file} {stage} tile {tile}/{tiles} | batch {batch} (recommended {recommended})',
      hideCursor: true,
      clearOnComplete: true,
      noTTYOutput: false,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  private total = 0;
  /** The total is what was found so far (the inputs are still being listed): shown as "N+". */
  private listing = false;
  private done = 0;
  private started = false;

  event(event: RestoreEvent): void {
    switch (event.type) {
      case 'job-started':
        this.total = event.files;
        this.listing = event.listing === true;
        if (process.stderr.isTTY) {
          this.bar.start(Math.max(1, event.files), 0, { done: 0, total: this.totalText(), file: '', stage: '', tile: 0, tiles: 0, batch: 0, recommended: 0 });
          this.started = true;
        }
        break;
      case 'job-listing':
        this.total = event.files;
        this.listing = !event.done;
        if (this.started) {
          this.bar.setTotal(Math.max(1, this.total));
          this.bar.update({ total: this.totalText() });
        }
        break;
      case 'progress':
        if (this.started) {
          this.bar.update(this.done + event.value, { done: this.done, total: this.totalText(), file: shortName(event.file), stage: event.faces === undefined ? event.stage : `${event.stage} (${event.faces} face${event.faces === 1 ? '' : 's'})`, tile: event.tile, tiles: event.tiles, batch: event.batchSize, recommended: event.recommendedBatch });
        }
        break;
      case 'file-done':
        this.done++;
        this.log(`restored ${event.file} -> ${event.output} (${event.width}x${event.height}, ${(event.ms / 1000).toFixed(1)} s)${event.notes ? ` [${event.notes.join('; ')}]` : ''}`);
        break;
      case 'file-failed':
        this.done++;
        this.log(`FAILED ${event.file}: ${event.message} [${event.code}]`);
        break;
      case 'file-skipped':
        this.done++;
        this.log(`skipped ${event.file}: ${event.reason}`);
        break;
      case 'warning':
        this.log(`warning: ${event.message}`);
        break;
      case 'job-finished':
        this.close();
        process.stderr.write(`${event.succeeded} restored, ${event.failed} failed${event.skipped ? `, ${event.skipped} skipped` : ''}${event.cancelled ? ', cancelled' : event.status === 'failed' ? ': the job failed' : ''} in ${(event.ms / 1000).toFixed(1)} s (job ${event.jobId})\n`);
        break;
    }
  }

  private log(line: string): void {
    if (this.started) this.bar.stop();
    process.stderr.write(`${line}\n`);
    if (this.started && (this.done < this.total || this.listing)) this.bar.start(Math.max(1, this.total), this.done, { done: this.done, total: this.totalText(), file: '', stage: '', tile: 0, tiles: 0, batch: 0, recommended: 0 });
  }

  /** "1200" once the listing ended, "1200+" while photos are still being found. */
  private totalText(): string {
    return this.listing ? `${this.total}+` : String(this.total);
  }

  close(): void {
    if (this.started) this.bar.stop();
    this.started = false;
  }
}

function shortName(path: string): string {
  const name = path.split(/[\\/]/).pop() ?? path;
  return name.length > 28 ? `${name.slice(0, 25)}...` : name;
}
