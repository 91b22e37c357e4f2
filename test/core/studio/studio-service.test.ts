import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { AppInfo, HistoryFile, HistoryJob, InspectedPath, JobTicket, ModelsOverview, ModelSummary, QueueSnapshot } from '../../../src/shared/contract.js';
import type { DeviceWithSettings } from '../../../src/shared/devices.js';
import type { RestoreEvent } from '../../../src/shared/events.js';
import type { Result } from '../../../src/shared/result.js';
import { StudioRuntime } from '../../../src/core/studio/studio-runtime.js';
import { AppSettingsStore } from '../../../src/core/studio/app-settings-store.js';
import { buildStandInUpscaleModel } from '../models/catalog/stand-in-upscale-model.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = join(repo, 'test/fixtures/e2e/chelsea.png');

function value<T>(result: Result<unknown>): T {
  if (!result.ok) assert.fail(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

function errorCode(result: Result<unknown>): string {
  assert.equal(result.ok, false, 'expected an error result');
  return (result as { ok: false; error: { code: string } }).error.code;
}

/** The StudioService over the real core: SQLite, the bundled fast model, sharp, the real device service. */
describe('StudioService with the real core', () => {
  let home: string;
  let input: string;
  let out: string;
  let runtime: StudioRuntime;
  const events: RestoreEvent[] = [];
  const opened: string[] = [];
  const deviceEvents: DeviceWithSettings[][] = [];

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'heirloom-studio-'));
    input = join(home, 'in');
    out = join(home, 'out');
    mkdirSync(input);
    copyFileSync(fixture, join(input, 'chelsea.png'));
    writeFileSync(join(input, 'notes.txt'), 'not a photo');
    runtime = new StudioRuntime({
      home,
      bundledModelsDir: join(repo, 'models'),
      host: 'browser',
      version: 'test',
      imageUrl: (id, variant) => `img:${id}/${variant}`,
      shell: { openPath: async (p) => void opened.push(`open ${p}`), showInFolder: (p) => void opened.push(`reveal ${p}`) },
    });
    runtime.studio.events.on('jobs:event', (e) => events.push(e));
    runtime.studio.events.on('devices:changed', (list) => deviceEvents.push(list));
  });

  after(async () => {
    await runtime.dispose();
    rmSync(home, { recursive: true, force: true });
  });

  const call = (channel: string, payload: unknown = {}) => runtime.studio.dispatch(channel, payload);

  it('describes the host and its capabilities', async () => {
    const info = value<AppInfo>(await call('app:info'));
    assert.equal(info.host, 'browser');
    assert.equal(info.home, home);
    assert.equal(info.defaultOutputDir, join(home, 'restored'));
    assert.deepEqual(info.capabilities, { dialogs: false, shell: true, uploads: false, devices: true, watch: false });
  });

  it('lists models with the catalog through the CLI’s model manager; imports and removes only the user’s own', async () => {
    const changes: ModelSummary[][] = [];
    const off = runtime.studio.events.on('models:changed', (list) => changes.push(list));
    const overview = value<ModelsOverview>(await call('models:overview'));
    const bundled = overview.installed.find((m) => m.id === 'realesr-general-x4v3');
    assert.equal(bundled?.removable, false);
    assert.equal(bundled?.source, 'bundled');
    // The repository's catalog: its first entry has the id of a bundled model, so it shows as installed.
    assert.equal(overview.catalog.find((m) => m.id === 'realesr-general-x4v3')?.installed, true);
    assert.equal(overview.catalog.find((m) => m.id === 'gfpgan-1.4')?.installed, false);
    assert.equal(overview.catalog.find((m) => m.id === 'gfpgan-1.4')?.task, 'face-restore');
    assert.equal(errorCode(await call('models:remove', { id: 'realesr-general-x4v3' })), 'PERMISSION_DENIED');
    assert.equal(errorCode(await call('models:import', { paths: ['model.onnx'] })), 'USAGE');
    assert.equal(errorCode(await call('models:import', { paths: [join(input, 'chelsea.png')] })), 'USAGE');
    assert.equal(errorCode(await call('models:download', { id: 'not-in-the-catalog' })), 'MODEL_NOT_FOUND');
    assert.equal(errorCode(await call('models:import', { paths: ['/a.onnx'], shell: 'x' })), 'INVALID_PAYLOAD');

    const file = join(home, 'tiny-x2.onnx');
    writeFileSync(file, buildStandInUpscaleModel({ scale: 2 }));
    const imported = value<ModelSummary>(await call('models:import', { paths: [file], name: 'Tiny' }));
    assert.deepEqual([imported.id, imported.name, imported.task, imported.scale, imported.source, imported.removable], ['tiny-x2', 'Tiny', 'restore-upscale', 2, 'imported', true]);
    assert.ok(changes.at(-1)!.some((m) => m.id === 'tiny-x2'), 'pages hear of the new model');
    const after = value<ModelSummary[]>(await call('models:remove', { id: 'tiny-x2' }));
    assert.ok(!after.some((m) => m.id === 'tiny-x2'));
    assert.ok(!changes.at(-1)!.some((m) => m.id === 'tiny-x2'));
    assert.ok(!existsSync(join(home, 'models', 'tiny-x2')));
    off();
  });

  it('inspects folders into photos, and says why a path cannot be used', async () => {
    const entries = value<InspectedPath[]>(await call('files:inspect', { paths: [input, join(input, 'notes.txt'), join(home, 'missing.jpg'), 'relative.jpg'] }));
    const byName = new Map(entries.map((e) => [e.name, e]));
    const photo = byName.get('chelsea.png');
    assert.ok(photo?.ok && photo.kind !== 'folder');
    assert.match(photo.thumbnailUrl, /^img:[A-Za-z0-9_-]{22}\/thumbnail$/);
    assert.equal(byName.get('notes.txt')?.ok, false);
    assert.equal((byName.get('missing.jpg') as { error: { code: string } }).error.code, 'NOT_FOUND');
    assert.equal((byName.get('relative.jpg') as { error: { code: string } }).error.code, 'USAGE');
  });

  it('restores a photo through the queue: events, snapshot, output, history', async () => {
    const ticket = value<JobTicket>(await call('jobs:start', { inputs: [join(input, 'chelsea.png')], outDir: out, tile: 128 }));
    assert.equal(ticket.files, 1);
    await runtime.studio.whenIdle();
    await new Promise((resolve) => setTimeout(resolve, 150)); // the throttle's trailing update
    const types = events.map((e) => e.type);
    assert.deepEqual([types[0], types.at(-1)], ['job-started', 'job-finished']);
    const done = events.find((e) => e.type === 'file-done');
    assert.ok(done && done.type === 'file-done');
    assert.deepEqual([done.width, done.height], [384, 256]);
    const meta = await sharp(done.output).metadata();
    assert.deepEqual([meta.width, meta.height], [384, 256]);
    const planned = events.filter((e) => e.type === 'progress' && e.recommendedBatch > 0);
    assert.ok(planned.length > 0, 'progress carries the recommended batch size');

    const snapshot = value<QueueSnapshot>(await call('jobs:queue'));
    const item = snapshot.items.find((i) => i.id === ticket.queueId)!;
    assert.equal(item.state, 'finished');
    assert.equal(item.files[0]!.status, 'done');
    assert.equal(item.files[0]!.output?.path, done.output);
    assert.ok(snapshot.devices.cpu && snapshot.devices.cpu.recommendedBatch >= 1);

    const history = value<HistoryJob[]>(await call('jobs:history', { limit: 5 }));
    assert.equal(history[0]!.id, item.jobId);
    assert.equal(history[0]!.files[0]!.output?.path, done.output);
    assert.equal(history[0]!.fileCount, 1);

    // History's pages: the job's first photos with its count, then a page from a position, its images granted.
    const [first] = value<HistoryJob[]>(await call('jobs:history', { limit: 1, filesPerJob: 1 }));
    assert.deepEqual([first!.files.length, first!.fileCount], [1, 1]);
    const page = value<HistoryFile[]>(await call('jobs:history-files', { jobId: item.jobId, from: 0, limit: 10 }));
    assert.deepEqual(page.map((f) => [f.position, f.status, f.output?.path]), [[0, 'done', done.output]]);
    const grant = /^img:([^/]+)\//.exec(page[0]!.output!.thumbnailUrl)![1]!;
    assert.equal((await runtime.studio.renderImage(grant, 'thumbnail')).contentType, 'image/webp');
    assert.deepEqual(value<HistoryFile[]>(await call('jobs:history-files', { jobId: item.jobId, from: 1, limit: 10 })), []);
    assert.equal(errorCode(await call('jobs:history-files', { jobId: 'job-20200101-000000-abcdef', from: 0, limit: 10 })), 'NOT_FOUND');
    assert.equal(errorCode(await call('jobs:history-files', { jobId: item.jobId, from: -1, limit: 10 })), 'INVALID_PAYLOAD');
  });

  it('serves granted images only: thumbnails and whole images of known files', async () => {
    const snapshot = value<QueueSnapshot>(await call('jobs:queue'));
    const file = snapshot.items[0]!.files[0]!;
    const grant = /^img:([^/]+)\//.exec(file.output!.thumbnailUrl)![1]!;
    const thumb = await runtime.studio.renderImage(grant, 'thumbnail');
    assert.equal(thumb.contentType, 'image/webp');
    assert.equal((await sharp(thumb.data).metadata()).width, 256);
    const whole = await runtime.studio.renderImage(grant, 'image');
    assert.equal(whole.contentType, 'image/png');
    assert.equal((await sharp(whole.data).metadata()).width, 384);
    await assert.rejects(runtime.studio.renderImage('A'.repeat(22), 'image'), { code: 'NOT_FOUND' });
    await assert.rejects(runtime.studio.renderImage('../../etc/passwd', 'image'), { code: 'NOT_FOUND' });
  });

  it('re-runs a job from the history with the same settings into a new output', async () => {
    const [job] = value<HistoryJob[]>(await call('jobs:history', { limit: 1 }));
    // What a run records of how it ran (the damage detector's weights) is not asked for again.
    runtime.core.db.prepare(`UPDATE jobs SET settings = json_set(settings, '$.damageModel', 'damage-unet@0123456789abcdef') WHERE id = ?`).run(job!.id);
    value<JobTicket>(await call('jobs:rerun', { jobId: job!.id }));
    await runtime.studio.whenIdle();
    const history = value<HistoryJob[]>(await call('jobs:history', { limit: 5 }));
    assert.equal(history.length, 2);
    assert.equal(history[0]!.settings.tile, 128);
    assert.equal(history[0]!.files[0]!.output?.name, 'chelsea (1).png');
    assert.equal(errorCode(await call('jobs:rerun', { jobId: 'job-unknown' })), 'NOT_FOUND');
  });

  it('opens only outputs known to the history', async () => {
    const [job] = value<HistoryJob[]>(await call('jobs:history', { limit: 1 }));
    const output = job!.files[0]!.output!.path;
    value(await call('shell:open-path', { path: output, action: 'reveal' }));
    value(await call('shell:open-path', { path: output, action: 'open' }));
    assert.deepEqual(opened, [`reveal ${output}`, `open ${output}`]);
    assert.equal(errorCode(await call('shell:open-path', { path: join(input, 'chelsea.png'), action: 'open' })), 'PERMISSION_DENIED');
    assert.equal(errorCode(await call('shell:open-path', { path: '/etc/passwd', action: 'open' })), 'PERMISSION_DENIED');
    assert.equal(opened.length, 2);
  });

  it('reports what cannot start: unknown model, no photos, relative paths; and features this host lacks', async () => {
    assert.equal(errorCode(await call('jobs:start', { inputs: [input], outDir: out, modelId: 'no-such-model' })), 'MODEL_NOT_FOUND');
    mkdirSync(join(home, 'empty'));
    assert.equal(errorCode(await call('jobs:start', { inputs: [join(home, 'empty')], outDir: out })), 'NOT_FOUND');
    assert.equal(errorCode(await call('jobs:start', { inputs: ['photo.jpg'], outDir: out })), 'USAGE');
    assert.equal(errorCode(await call('dialogs:open-photos', { mode: 'files' })), 'USAGE');
    assert.equal(errorCode(await call('watch:list')), 'USAGE');
    assert.equal(errorCode(await call('jobs:cancel', { queueId: 'q-nothing' })), 'NOT_FOUND');
  });

  it('keeps app settings in the data folder and validates them', async () => {
    assert.equal(errorCode(await call('app-settings:set', { outputDir: 'relative/out' })), 'INVALID_SETTING');
    const saved = value<{ outputDir?: string; format: string }>(await call('app-settings:set', { outputDir: out, format: 'png' }));
    assert.equal(saved.outputDir, out);
    assert.deepEqual(await AppSettingsStore.inHome(home).get(), { outputDir: out, format: 'png', keepMetadata: true, maxPixels: 200_000_000 });
    assert.equal(value<AppInfo>(await call('app:info')).defaultOutputDir, out);
    const cleared = value<{ outputDir?: string }>(await call('app-settings:set', { outputDir: null }));
    assert.equal(cleared.outputDir, undefined);
  });

  it('changes device settings through the device service, persists them and announces devices:changed', async () => {
    const devices = value<DeviceWithSettings[]>(await call('devices:list'));
    const cpu = devices.find((d) => d.id === 'cpu');
    assert.ok(cpu, 'the CPU is always a device');
    const updated = value<DeviceWithSettings>(await call('settings:set', { deviceId: 'cpu', settings: { maxBatch: 3, memoryBudget: { kind: 'bytes', value: 512 * 1024 * 1024 } } }));
    assert.equal(updated.settings.maxBatch, 3);
    assert.deepEqual(updated.settings.memoryBudget, { kind: 'bytes', value: 512 * 1024 * 1024 });
    assert.equal(deviceEvents.at(-1)?.find((d) => d.id === 'cpu')?.settings.maxBatch, 3);
    assert.equal(value<DeviceWithSettings>(await call('settings:get', { deviceId: 'cpu' })).settings.maxBatch, 3);
    // 16 px passes the payload schema (0..8192) but not the device service's rule (0 or 32..8192).
    assert.equal(errorCode(await call('settings:set', { deviceId: 'cpu', settings: { tileSize: 16 } })), 'INVALID_SETTING');
    assert.equal(errorCode(await call('settings:get', { deviceId: 'no-such-gpu' })), 'DEVICE_NOT_FOUND');
    assert.ok(existsSync(join(home, 'heirloom.db')));
  });

  it('adds a folder of more than 100 photos whole, as one item with its count and a few previews; the job restores all of it', async () => {
    const box = join(home, 'box-of-101');
    mkdirSync(join(box, 'inner'), { recursive: true });
    for (let i = 0; i < 101; i++) {
      const tiny = await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: i, g: 0, b: 0 } } }).png().toBuffer();
      writeFileSync(join(box, i < 50 ? '' : 'inner', `p${String(i).padStart(3, '0')}.png`), tiny);
    }
    const [folder, ...rest] = value<InspectedPath[]>(await call('files:inspect', { paths: [box] }));
    assert.equal(rest.length, 0);
    assert.ok(folder?.ok && folder.kind === 'folder');
    assert.deepEqual([folder.path, folder.name, folder.photos, folder.previews.length], [box, 'box-of-101', 101, 4]);
    assert.match(folder.previews[0]!.thumbnailUrl, /^img:[A-Za-z0-9_-]{22}\/thumbnail$/);

    const ticket = value<JobTicket>(await call('jobs:start', { inputs: [folder.path], outDir: join(home, 'box-out'), modelId: 'none' }));
    assert.equal(ticket.files, 101);
    await runtime.studio.whenIdle();
    const item = value<QueueSnapshot>(await call('jobs:queue')).items.find((i) => i.id === ticket.queueId)!;
    assert.deepEqual([item.state, item.photos.done, item.files.length], ['finished', 101, 20]);
  });
});
