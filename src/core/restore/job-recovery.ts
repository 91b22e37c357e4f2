import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { sha256File } from '../fs/content-hash.js';
import { removeStaleTemps } from '../fs/stale-temps.js';
import { DEFAULT_MAX_PIXELS, probeImage } from '../imaging/codec.js';
import type { JobStore, UnfinishedJob } from '../store/job-store.js';
import type { ProcessOwner } from '../store/process-owner.js';

/** A photo that was being restored this many times when its process died is set aside, not tried again (a crash loop). */
export const MAX_INTERRUPTED_ATTEMPTS = 5;

export interface RecoveryReport {
  /** Jobs whose process had died, now 'interrupted' (resumable). */
  interrupted: string[];
  /** Outputs moved into place just before a kill, found complete and recorded as done. */
  adopted: Array<{ jobId: string; file: string; output: string }>;
  /** Photos that were running when their process died, back in their job's queue. */
  requeued: number;
  /** Photos that were running at MAX_INTERRUPTED_ATTEMPTS deaths in a row, marked failed. */
  setAside: Array<{ jobId: string; file: string }>;
  /** Leftover temporary files removed from the output folders of those jobs. */
  tempsRemoved: string[];
}

/**
 * Brings the store back in line with the disk after a crash, kill or power cut: run at the
 * start of every job (and of watching). For each job still 'running' whose process is gone:
 * an output whose commit was recorded and which exists with the recorded hash is adopted
 * (the kill came between the rename and the "done" update), every other running photo goes
 * back to the queue, and the job becomes 'interrupted'. Then the temporary files in those
 * jobs' output folders are removed, unless a live job writes there.
 */
export async function recoverInterruptedJobs(jobs: JobStore, owner: ProcessOwner): Promise<RecoveryReport> {
  const report: RecoveryReport = { interrupted: [], adopted: [], requeued: 0, setAside: [], tempsRemoved: [] };
  const unfinished = jobs.unfinishedJobs();
  const dead = unfinished.filter((job) => !owner.isAlive(job.owner));
  for (const job of dead) {
    // Done once: two processes starting together (the app and a command) do not both recover it.
    if (!jobs.claimForRecovery(job.id, job.owner, owner.token)) continue;
    const record = jobs.getJob(job.id);
    if (!record) continue;
    for (const file of record.files) {
      if (file.status !== 'running' && file.status !== 'queued') continue;
      if (file.outputPath && file.outputSha256 && (await holdsOutput(file.outputPath, file.outputSha256))) {
        const size = await probedSize(file.outputPath);
        jobs.markFileDone(job.id, file.position, { outputPath: file.outputPath, width: size?.width ?? 0, height: size?.height ?? 0, ms: file.ms ?? 0 });
        report.adopted.push({ jobId: job.id, file: file.inputPath, output: file.outputPath });
        continue;
      }
      if (file.status !== 'running') continue;
      if (file.attempts >= MAX_INTERRUPTED_ATTEMPTS) {
        jobs.markFileFailed(job.id, file.position, {
          code: 'INTERNAL',
          message: `${file.inputPath}: Heirloom stopped ${file.attempts} times while restoring this photo, so it was set aside. Restore it on its own ("heirloom restore ${file.inputPath} --out ...") to see what goes wrong.`,
        });
        report.setAside.push({ jobId: job.id, file: file.inputPath });
        continue;
      }
      jobs.requeueFile(job.id, file.position);
      report.requeued++;
    }
    jobs.markJobInterrupted(job.id);
    report.interrupted.push(job.id);
  }
  const liveDirs = new Set(unfinished.filter((job) => owner.isAlive(job.owner)).map(outDirOf));
  for (const dir of new Set(dead.map(outDirOf))) {
    if (dir && !liveDirs.has(dir)) report.tempsRemoved.push(...(await removeStaleTemps(dir)));
  }
  return report;
}

/** The output folder a job writes into, as recorded in its settings. */
export function outDirOf(job: Pick<UnfinishedJob, 'settings'>): string | undefined {
  const dir = job.settings.outDir;
  return typeof dir === 'string' ? resolve(dir) : undefined;
}

/** `path` exists and holds exactly the bytes recorded for it (complete: outputs are synced before they are named). */
export async function holdsOutput(path: string, sha256: string): Promise<boolean> {
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) return false;
    return (await sha256File(path)) === sha256;
  } catch {
    return false;
  }
}

async function probedSize(path: string): Promise<{ width: number; height: number } | undefined> {
  try {
    const info = await probeImage(path, { maxPixels: DEFAULT_MAX_PIXELS * 64 });
    return { width: info.width, height: info.height };
  } catch {
    return undefined;
  }
}

/**
 * Crash recovery once per process: the first job (or the studio, or a watcher) to ask runs
 * it and waits for it; the report goes to that first asker, later ones get an empty one.
 */
export class CrashRecovery {
  private run: Promise<RecoveryReport> | undefined;

  constructor(
    private readonly jobs: JobStore,
    readonly owner: ProcessOwner,
  ) {}

  async once(): Promise<RecoveryReport> {
    if (this.run) {
      await this.run;
      return emptyReport();
    }
    this.run = recoverInterruptedJobs(this.jobs, this.owner);
    return this.run;
  }
}

function emptyReport(): RecoveryReport {
  return { interrupted: [], adopted: [], requeued: 0, setAside: [], tempsRemoved: [] };
}
