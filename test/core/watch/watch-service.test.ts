import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { WatchStore } from '../../../src/core/store/watch-store.js';
import { WatchService } from '../../../src/core/watch/watch-service.js';
import type { WatchActivity } from '../../../src/shared/contract-views.js';
import type { WatchEvent } from '../../../src/shared/watch.js';
import { openDatabase, type Db } from '../../../src/core/store/database.js';
import { photo, testEngine } from '../../helpers/engine.js';
import { tempDir } from '../../helpers/images.js';
import { EventLog, installStandInUpscaler, STAND_IN_MODEL } from './watch-test-helpers.js';

const isDone = (file: string) => (e: WatchEvent) => e.type === 'file-done' && e.file === file;
const isWatch = (kind: string, file?: string) => (e: WatchEvent) => e.type === 'watch' && e.kind === kind && (file === undefined || e.file === file);

async function crop(path: string, left: number, size = 24): Promise<string> {
  await sharp(photo('chelsea.png')).extract({ left, top: 20, width: size, height: size }).png().toFile(path);
  return path;
}

describe('WatchService', () => {
  let home: string;
  let scans: string;
  let outDir: string;
  let engine: ReturnType<typeof testEngine>;
  let db: Db;
  let service: WatchService;
  const log = new EventLog();
  const activity: WatchActivity[] = [];

  before(async () => {
    home = tempDir('heirloom-watch-service-');
    installStandInUpscaler(home);
    scans = join(home, 'scans');
    outDir = join(scans, 'restored');
    mkdirSync(scans);
    engine = testEngine(home);
    db = openDatabase(join(home, 'heirloom.db'));
    service = new WatchService({ store: new WatchStore(db), jobs: engine.jobs, engine: engine.engine }, { stableMs: 150, pollMs: 25, presenceMs: 150, quietMs: 50, maxWaitMs: 500 });
    service.on(log.push);
    service.onActivity((a) => activity.push(a));
  });

  after(async () => {
    await service.dispose();
    db.close();
    await engine.dispose();
  });

  it('restores a new photo once into the output folder inside the watched one, and never takes the output as a photo', async () => {
    await crop(join(scans, 'before-start.png'), 0);
    await service.add({ path: scans, outDir, preset: { modelId: STAND_IN_MODEL, faces: false, format: 'keep' } });
    await service.start();
    await log.waitFor(isDone(join(scans, 'before-start.png')));
    const fresh = await crop(join(scans, 'fresh.png'), 30);
    const done = await log.waitFor(isDone(fresh));
    assert.equal(done.type === 'file-done' && done.output, join(outDir, 'fresh.png'));
    assert.deepEqual([(await sharp(join(outDir, 'fresh.png')).metadata()).width], [48]);
    const [folder] = await service.list();
    assert.equal(folder!.state, 'watching');
    const listed = folder!.recent.filter((a) => a.kind === 'done' && a.file === fresh);
    assert.equal(listed.length, 1, 'list() carries recent activity');
    const live = activity.filter((a) => a.kind === 'done' && a.output === join(outDir, 'fresh.png'));
    // The same activity, time included: the studio merges the live stream with list() and shows each once.
    assert.deepEqual(live, listed, 'onActivity (the studio port) sees it, as list() has it');
  });

  it('gives the live stream and list() one activity per event, even when the clock moves while it is delivered', async () => {
    const [folder] = await service.list();
    const event: WatchEvent = { type: 'file-done', folderId: folder!.id, jobId: 'job-clock', file: join(scans, 'clock.png'), output: join(outDir, 'clock.png'), width: 8, height: 8, ms: 1 };
    const realNow = Date.now;
    let tick = realNow();
    Date.now = () => ++tick; // every reading a millisecond later
    try {
      (service as unknown as { emit(event: WatchEvent): void }).emit(event);
    } finally {
      Date.now = realNow;
    }
    const live = activity.filter((a) => a.file === event.file);
    const [listed] = await service.list();
    assert.equal(live.length, 1);
    assert.deepEqual(listed!.recent.filter((a) => a.file === event.file), live);
  });

  it('skips and reports a file that is not a photo, and a renamed copy of a restored photo', async () => {
    const from = log.events.length;
    const notes = join(scans, 'notes.txt');
    writeFileSync(notes, 'hello');
    await log.waitFor(isWatch('ignored', notes), 20_000, from);
    const copy = join(scans, 'copy of fresh.png');
    copyFileSync(join(scans, 'fresh.png'), copy);
    const skipped = await log.waitFor(isWatch('skipped', copy), 20_000, from);
    assert.equal(skipped.type === 'watch' && skipped.output, join(outDir, 'fresh.png'));
    assert.deepEqual(readdirSync(outDir).sort(), ['before-start.png', 'fresh.png'], 'nothing restored twice');
  });

  it('restores an edited photo again (new content), keeping the earlier output', async () => {
    const from = log.events.length;
    const edited = await crop(join(scans, 'fresh.png'), 90);
    const done = await log.waitFor(isDone(edited), 20_000, from);
    assert.equal(done.type === 'file-done' && done.output, join(outDir, 'fresh (1).png'));
  });

  it('reports a folder that disappears, and resumes when it returns (with what was added meanwhile)', async () => {
    const from = log.events.length;
    const away = join(home, 'scans-unplugged');
    renameSync(scans, away);
    await log.waitFor(isWatch('missing'), 20_000, from);
    assert.equal((await service.list())[0]!.state, 'missing');
    await crop(join(away, 'while-away.png'), 120);
    renameSync(away, scans);
    await log.waitFor(isWatch('watching'), 20_000, from);
    await log.waitFor(isDone(join(scans, 'while-away.png')), 20_000, from);
  });

  it('pauses (nothing is restored) and resumes (what arrived meanwhile is restored)', async () => {
    const [folder] = await service.list();
    await service.pause(folder!.id);
    assert.equal((await service.list())[0]!.state, 'paused');
    const from = log.events.length;
    const paused = await crop(join(scans, 'while-paused.png'), 150);
    await new Promise((r) => setTimeout(r, 600));
    assert.ok(!log.events.slice(from).some(isDone(paused)), 'not restored while paused');
    await service.resume(folder!.id);
    await log.waitFor(isDone(paused), 20_000, from);
    await service.remove(folder!.id);
    assert.deepEqual(await service.list(), []);
  });

  it('refuses a folder that does not exist, and an output folder equal to the watched one', async () => {
    await assert.rejects(service.add({ path: join(home, 'nope'), outDir, preset: { modelId: STAND_IN_MODEL, faces: false, format: 'keep' } }), /does not exist/);
    await assert.rejects(service.add({ path: home, outDir: home, preset: { modelId: STAND_IN_MODEL, faces: false, format: 'keep' } }), /must differ/);
  });
});
