/**
 * Shared by the kill-and-resume tests (restore-resume, watch-kill): tiny distinct photos,
 * a seeded PRNG, the `heirloom` child process with its JSON events, and the audit that
 * compares the history with the disk.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { openDatabase } from '../../src/core/store/database.js';
import { JobStore, type JobRecord } from '../../src/core/store/job-store.js';
import { TEMP_SUFFIX } from '../../src/core/fs/atomic-output.js';
import { PHOTOS } from '../helpers/engine.js';
export { seededRandom } from '../helpers/seeded-random.js';

export interface TinyPhoto {
  name: string;
  bytes: Buffer;
  width: number;
  height: number;
  sha256: string;
}

const SOURCES = ['astronaut.png', 'camera.png', 'chelsea.png', 'coins.png', 'clock_motion.png', 'hubble_deep_field.jpg'];

/** `count` PNG crops (24..32 px) of the fixture photos, each with different content. */
export async function tinyPhotos(count: number, prefix = 'photo'): Promise<TinyPhoto[]> {
  const photos: TinyPhoto[] = [];
  const seen = new Set<string>();
  const sizes = new Map<string, { width: number; height: number }>();
  for (let i = 0; photos.length < count; i++) {
    const source = join(PHOTOS, SOURCES[i % SOURCES.length]!);
    if (!sizes.has(source)) {
      const meta = await sharp(source).metadata();
      sizes.set(source, { width: meta.width!, height: meta.height! });
    }
    const { width: sw, height: sh } = sizes.get(source)!;
    const width = 24 + (i % 9);
    const height = 24 + ((i * 5) % 9);
    const left = (i * 37) % (sw - width);
    const top = (i * 53) % (sh - height);
    const bytes = await sharp(source).extract({ left, top, width, height }).png().toBuffer();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (seen.has(sha256)) continue;
    seen.add(sha256);
    photos.push({ name: `${prefix}-${String(photos.length).padStart(3, '0')}.png`, bytes, width, height, sha256 });
  }
  return photos;
}

/**
 * A running `heirloom` child with its --json events. Every child still running when a test
 * file's tests end (a failed assertion skipped its kill) is killed then: its pipes would
 * otherwise keep the test process, and the whole run, waiting for ever.
 */
export class HeirloomChild {
  private static readonly running = new Set<HeirloomChild>();
  readonly events: Array<Record<string, unknown> & { type: string }> = [];
  readonly exited: Promise<number | null>;
  stderr = '';
  private readonly child: ChildProcess;
  private buffered = '';

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [resolve('bin/heirloom.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => {
      this.buffered += d.toString();
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop()!;
      for (const line of lines) if (line.trim()) this.events.push(JSON.parse(line) as Record<string, unknown> & { type: string });
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    HeirloomChild.running.add(this);
    this.exited = new Promise((resolveExit) =>
      this.child.on('close', (code) => {
        HeirloomChild.running.delete(this);
        resolveExit(code);
      }),
    );
  }

  /** Kills every child still running (SIGKILL) and waits for them to exit. */
  static async killAll(): Promise<void> {
    await Promise.all([...HeirloomChild.running].map((child) => child.kill('SIGKILL')));
  }

  count(type: string): number {
    return this.events.filter((e) => e.type === type).length;
  }

  /** Resolves when `predicate` holds (checked every 20 ms), or false when the child exits or time runs out. */
  async until(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    let exited = false;
    void this.exited.then(() => (exited = true));
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (predicate()) return true;
      if (exited) return predicate();
      await sleep(20);
    }
    return predicate();
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}

after(() => HeirloomChild.killAll());

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Every file under `dir`, recursively (hidden ones included). */
export function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

export interface AuditResult {
  jobs: JobRecord[];
  duplicates: number;
  lost: number;
  failedRecords: number;
}

/**
 * The disk and the history agree: each photo has exactly one output (its own name, never
 * "name (1)"), which decodes at the expected size; no temporary file is left anywhere; every
 * job is finished and no file is still queued or running; each photo's content has exactly
 * one 'done' record, naming that output with its hash; every output on disk is named by one.
 */
export async function auditRun(options: { home: string; root: string; outDir: string; photos: TinyPhoto[]; scale: number }): Promise<AuditResult> {
  const { home, root, outDir, photos, scale } = options;
  const leftovers = walk(root).filter((p) => p.endsWith(TEMP_SUFFIX) || p.includes('.heirloom-write-test-'));
  assert.deepEqual(leftovers, [], 'no temporary file is left');

  const outputs = readdirSync(outDir).filter((n) => !n.startsWith('.'));
  const expected = new Set(photos.map((p) => p.name));
  const duplicates = outputs.filter((n) => !expected.has(n)).length;
  const lost = photos.filter((p) => !outputs.includes(p.name)).length;
  assert.equal(duplicates, 0, `no extra outputs: ${outputs.filter((n) => !expected.has(n)).join(', ')}`);
  assert.equal(lost, 0, `every photo has an output; missing: ${photos.filter((p) => !outputs.includes(p.name)).map((p) => p.name).join(', ')}`);
  for (const photo of photos) {
    const meta = await sharp(join(outDir, photo.name)).metadata();
    assert.deepEqual([meta.width, meta.height], [photo.width * scale, photo.height * scale], `${photo.name} decodes at its size`);
  }

  const db = openDatabase(join(home, 'heirloom.db'));
  try {
    const jobs = new JobStore(db).listJobs({ limit: 100_000 });
    for (const job of jobs) assert.notEqual(job.status, 'running', `job ${job.id} is not left running`);
    const files = jobs.flatMap((j) => j.files.map((f) => ({ ...f, jobId: j.id })));
    const open = files.filter((f) => f.status === 'running' || f.status === 'queued');
    assert.deepEqual(open.map((f) => `${f.jobId}:${f.inputPath}:${f.status}`), [], 'no photo is left queued or running');
    const done = files.filter((f) => f.status === 'done');
    for (const photo of photos) {
      const records = done.filter((f) => f.contentHash === photo.sha256);
      assert.equal(records.length, 1, `${photo.name} was restored exactly once (${records.length} done records)`);
      const record = records[0]!;
      assert.equal(record.outputPath, join(outDir, photo.name), `${photo.name}: the history names its output`);
      const onDisk = createHash('sha256').update(readFileSync(record.outputPath!)).digest('hex');
      assert.equal(record.outputSha256, onDisk, `${photo.name}: the recorded output hash matches the file`);
    }
    for (const name of outputs) assert.equal(done.filter((f) => f.outputPath === join(outDir, name)).length, 1, `${name} is named by exactly one done record`);
    for (const f of files.filter((x) => x.status === 'skipped' && x.outputPath)) assert.ok(outputs.includes(f.outputPath!.slice(outDir.length + 1)), `skipped ${f.inputPath} points at an existing output`);
    return { jobs, duplicates, lost, failedRecords: files.filter((f) => f.status === 'failed').length };
  } finally {
    db.close();
  }
}
