import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { tempDir, writeTestPhoto } from '../../helpers/images.js';
import { testEngine } from '../../helpers/engine.js';
import { startRedis } from '../../helpers/redis-server.js';
import { FarmOutcomeSchema, FarmPhotoPayloadSchema, redactRedisUrl, redactSecrets } from '../../../src/shared/farm.js';
import { FARM_PREFIX, FARM_QUEUE, farmKeys, redisOptionsFromUrl } from '../../../src/core/farm/farm-connection.js';
import { FarmWorker } from '../../../src/core/farm/farm-worker.js';
import { submitFarmJob } from '../../../src/core/farm/farm-submitter.js';
import { readFarmStatus } from '../../../src/core/farm/farm-status.js';
import { farmPhotoId } from '../../../src/core/farm/photo-id.js';
import { adoptableOutput, recordClaim } from '../../../src/core/farm/output-claims.js';
import { HOST_TAG, tempPathFor } from '../../../src/core/fs/atomic-output.js';
import { removeStaleTemps } from '../../../src/core/fs/stale-temps.js';
import { ensureWritableFolder } from '../../../src/core/fs/writable-folder.js';
import type { RestoreEvent } from '../../../src/shared/events.js';

test('a Redis URL is shown and stored without its password', () => {
  assert.equal(redactRedisUrl('redis://:s3cret@farm.local:6379'), 'redis://:***@farm.local:6379');
  assert.equal(redactRedisUrl('rediss://heirloom:s3cret@farm.local:6380/2'), 'rediss://heirloom:***@farm.local:6380/2');
  assert.equal(redactRedisUrl('redis://farm.local:6379'), 'redis://farm.local:6379');
  assert.equal(redactSecrets('connect to redis://:pw@h:1 failed; redis://h:2/?password=pw2'), 'connect to redis://:***@h:1 failed; redis://h:2/?password=***');
});

test('Redis URLs: password, user, database and TLS; anything else is a usage error that names the URL without its password', () => {
  assert.deepEqual(redisOptionsFromUrl('redis://:p%40ss@10.0.0.5:6400/3'), { host: '10.0.0.5', port: 6400, password: 'p@ss', db: 3, maxRetriesPerRequest: null });
  assert.deepEqual(redisOptionsFromUrl('rediss://lab:pw@redis.museum.org'), { host: 'redis.museum.org', port: 6379, username: 'lab', password: 'pw', tls: { servername: 'redis.museum.org' }, maxRetriesPerRequest: null });
  assert.throws(() => redisOptionsFromUrl('http://:secret@host:6379'), (e: Error) => /USAGE|not a Redis URL/.test(e.message) && !e.message.includes('secret') && e.message.includes(':***@'));
  assert.throws(() => redisOptionsFromUrl('redis://:secret@host:6379/x'), (e: Error) => !e.message.includes('secret'));
});

test('a queue entry is validated with the shared schema: settings record, paths, hash', () => {
  const good = { v: 1, farmJobId: 'fabc123-00ff', input: '/share/a.png', outDir: '/share/out', contentHash: 'a'.repeat(64), settings: { modelId: 'none', scale: 2 } };
  assert.ok(FarmPhotoPayloadSchema.safeParse(good).success);
  assert.equal(FarmPhotoPayloadSchema.safeParse({ ...good, settings: { scale: 99 } }).success, false, 'a settings record out of range');
  assert.equal(FarmPhotoPayloadSchema.safeParse({ ...good, contentHash: 'nope' }).success, false);
  assert.equal(FarmPhotoPayloadSchema.safeParse({ ...good, farmJobId: 'a:b' }).success, false);
  assert.equal(FarmOutcomeSchema.safeParse({ status: 'failed', worker: 'w', code: 'NOPE', message: 'x' }).success, false, 'an unknown error code');
});

test("a photo's farm identity is its content and the settings that decide its output", () => {
  const hash = 'b'.repeat(64);
  assert.equal(farmPhotoId(hash, { modelId: 'none' }, '/out'), farmPhotoId(hash, { modelId: 'none', tile: 64, batch: 2 }, '/out/'), 'tile and batch change speed, not the output');
  assert.notEqual(farmPhotoId(hash, { modelId: 'none' }, '/out'), farmPhotoId(hash, { modelId: 'none', format: 'jpeg' }, '/out'));
  assert.notEqual(farmPhotoId(hash, { modelId: 'none' }, '/out'), farmPhotoId(hash, { modelId: 'none' }, '/out2'));
  assert.doesNotMatch(farmPhotoId(hash, {}, '/out'), /:/, 'a BullMQ job id has no colon');
});

test("cleanup after a crash removes only temporaries whose writer is gone: this machine's dead processes, not live ones or other machines'", async () => {
  const dir = tempDir('heirloom-farm-temps-');
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const mine = tempPathFor(join(dir, 'a.png'));
  const deadOnes = join(dir, `.b.png.${HOST_TAG}p${dead}-0badcafe.heirloom-tmp`);
  const otherHost = join(dir, `.c.png.${HOST_TAG === 'abcdef' ? '123456' : 'abcdef'}p${dead}-0badcafe.heirloom-tmp`);
  for (const path of [mine, deadOnes, otherHost]) writeFileSync(path, 'half');
  assert.deepEqual(await removeStaleTemps(dir), [deadOnes]);
  assert.ok(existsSync(mine) && existsSync(otherHost));
});

test('many jobs of one process (a farm worker with --concurrency) check one output folder at once without tripping over each other', async () => {
  const root = tempDir('heirloom-farm-probe-');
  for (let i = 0; i < 100; i++) {
    const dir = join(root, `out-${i}`);
    await Promise.all([ensureWritableFolder(dir), ensureWritableFolder(dir), ensureWritableFolder(dir)]);
    assert.deepEqual(readdirSync(dir), [], 'every write probe is gone');
  }
});

test('farm with a password: a bad queue entry fails alone (INVALID_PAYLOAD); an unreadable photo and an unwritable output folder fail with their codes; status shows the worker; the password appears nowhere', { timeout: 120_000 }, async () => {
  const password = 'pa55-w0rd-secret';
  const redis = await startRedis({ requirePass: password });
  const dir = tempDir('heirloom-farm-core-');
  const { engine, dispose } = testEngine(join(dir, 'worker-home'));
  const sender = testEngine(join(dir, 'sender-home'));
  const logs: string[] = [];
  const worker = new FarmWorker({ redisUrl: redis.url, engine, name: 'core-w', log: (l) => logs.push(l), lockMs: 2000 });
  const queue = new Queue(FARM_QUEUE, { connection: redisOptionsFromUrl(redis.url), prefix: FARM_PREFIX });
  try {
    await worker.start();
    // A queue entry that is not a photo: rejected with the schema's reasons, the worker goes on.
    const bad = await queue.add('photo', { v: 1, input: 42, settings: { scale: 'huge' } }, { jobId: 'not-a-photo' });
    const outcome = FarmOutcomeSchema.parse(await waitForResult(queue, bad.id!));
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.status === 'failed' && outcome.code, 'INVALID_PAYLOAD');

    const inDir = join(dir, 'in');
    mkdirSync(inDir);
    const good = await writeTestPhoto(join(inDir, 'good.png'), 20, 16, 1);
    const gone = await writeTestPhoto(join(inDir, 'gone.png'), 20, 16, 2);
    const events: RestoreEvent[] = [];
    const summary = await submitFarmJob({
      redisUrl: redis.url,
      inputs: [good, gone],
      outDir: join(dir, 'out'),
      settings: { modelId: 'none' },
      // gone.png vanishes from the share after it was sent, before a worker reads it.
      identify: async (path, signal) => {
        const identity = await engine.identities.identify(path, signal);
        if (path === gone) unlinkSync(gone);
        return identity;
      },
      emit: (e) => events.push(e),
      history: { jobs: sender.jobs },
    });
    assert.deepEqual([summary.succeeded, summary.failed, summary.skipped], [1, 1, 0]);
    // The sender's history records the farm job (kind 'farm'), each photo's state, and which worker; the farm without its password.
    const recorded = sender.jobs.getJob(summary.jobId)!;
    assert.deepEqual([recorded.kind, recorded.status, recorded.succeeded, recorded.failed], ['farm', 'finished-with-errors', 1, 1]);
    assert.deepEqual(recorded.files.map((f) => [f.inputPath, f.status]), [[good, 'done'], [gone, 'failed']]);
    assert.deepEqual(recorded.files.map((f) => f.ranOn), ['core-w', 'core-w'], 'where each photo ran');
    assert.equal(recorded.deviceId, `farm redis://:***@127.0.0.1:${redis.port}`);
    const failed = events.find((e) => e.type === 'file-failed');
    assert.equal(failed?.type === 'file-failed' && failed.code, 'NOT_FOUND');
    assert.equal(failed?.type === 'file-failed' && failed.worker, 'core-w');
    assert.deepEqual(readdirSync(join(dir, 'out')), ['good.png']);

    // An output folder the worker cannot create: each photo fails with that code and the job finishes.
    const unwritable: RestoreEvent[] = [];
    const blocked = await submitFarmJob({ redisUrl: redis.url, inputs: [good], outDir: '/proc/heirloom-farm-out', settings: { modelId: 'none' }, identify: (p, s) => engine.identities.identify(p, s), emit: (e) => unwritable.push(e) });
    assert.equal(blocked.failed, 1);
    const why = unwritable.find((e) => e.type === 'file-failed');
    assert.equal(why?.type === 'file-failed' && why.code, 'OUTPUT_NOT_WRITABLE');
    assert.match(why?.type === 'file-failed' ? why.message : '', /On worker core-w: .*proc/);

    const status = await readFarmStatus(redis.url);
    assert.equal(status.redis, `redis://:***@127.0.0.1:${redis.port}`);
    assert.deepEqual(status.workers.map((w) => [w.name, w.state, w.done, w.failed]), [['core-w', 'idle', 1, 3]]);
    assert.equal(status.queue.waiting, 0);
    const everything = JSON.stringify([status, events, unwritable, logs, sender.jobs.listJobs({ limit: 10 })]);
    assert.ok(!everything.includes(password), 'the password is in no event, log line or status');
  } finally {
    await worker.stop(1000);
    await queue.close();
    await dispose();
    await sender.dispose();
    await redis.stop();
  }
});

async function waitForResult(queue: Queue, id: string): Promise<unknown> {
  for (let i = 0; i < 200; i++) {
    const job = await queue.getJob(id);
    if (job?.finishedOn) return job.returnvalue;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`queue entry ${id} did not finish`);
}

test('a cancel takes back every photo no worker has started, and says so in job-finished', { timeout: 60_000 }, async () => {
  const redis = await startRedis();
  const dir = tempDir('heirloom-farm-cancel-');
  const sender = testEngine(join(dir, 'sender-home'));
  const inDir = join(dir, 'in');
  mkdirSync(inDir);
  for (let i = 0; i < 5; i++) await writeTestPhoto(join(inDir, `p${i}.png`), 16, 16, i + 1);
  const queue = new Queue(FARM_QUEUE, { connection: redisOptionsFromUrl(redis.url), prefix: FARM_PREFIX });
  try {
    const abort = new AbortController();
    const events: RestoreEvent[] = [];
    // No worker runs: once all five wait in the queue, the sender is stopped (Ctrl+C).
    const watcher = (async () => {
      while ((await queue.getWaitingCount()) < 5) await new Promise((r) => setTimeout(r, 20));
      abort.abort();
    })();
    const summary = await submitFarmJob({ redisUrl: redis.url, inputs: [inDir], outDir: join(dir, 'out'), settings: { modelId: 'none' }, identify: (p, s) => sender.engine.identities.identify(p, s), emit: (e) => events.push(e), signal: abort.signal, history: { jobs: sender.jobs } });
    await watcher;
    assert.equal(summary.cancelled, true);
    assert.deepEqual([summary.succeeded, summary.failed, summary.skipped], [0, 0, 0]);
    assert.equal(await queue.getWaitingCount(), 0, 'nothing is left for a worker to start');
    const end = events.at(-1);
    assert.equal(end?.type === 'job-finished' && end.status, 'cancelled');
    assert.equal(sender.jobs.getJob(summary.jobId)?.status, 'cancelled');
  } finally {
    await queue.close();
    await sender.dispose();
    await redis.stop();
  }
});

test("an output a dead worker moved into place is adopted only while it holds the recorded bytes", { timeout: 30_000 }, async () => {
  const redis = await startRedis();
  const client = new (await import('ioredis')).Redis({ ...redisOptionsFromUrl(redis.url) });
  try {
    const dir = tempDir('heirloom-farm-claim-');
    const output = join(dir, 'a.png');
    writeFileSync(output, 'restored bytes');
    const sha = (await import('node:crypto')).createHash('sha256').update('restored bytes').digest('hex');
    await recordClaim(client, 'p1-x', { outputPath: output, outputSha256: sha, worker: 'w-dead' });
    assert.deepEqual(await adoptableOutput(client, 'p1-x'), { outputPath: output, outputSha256: sha, worker: 'w-dead' });
    assert.equal(await adoptableOutput(client, 'p2-none'), undefined, 'no claim, nothing to adopt');
    writeFileSync(output, 'something else');
    assert.equal(await adoptableOutput(client, 'p1-x'), undefined, 'other bytes under the name: restored again');
    await client.set('heirloom:farm:claim:p3-bad', '{"outputPath": 7}');
    assert.equal(await adoptableOutput(client, 'p3-bad'), undefined, 'a claim that does not parse is ignored');
  } finally {
    client.disconnect();
    await redis.stop();
  }
});

test('the same photos sent by two machines are one queue entry each; when the first job is cancelled, the second queues them itself and they are restored once', { timeout: 60_000 }, async () => {
  const { redis, dir, sender, worker, queue, inDir, close } = await farmRig('heirloom-farm-twice-', 'late-w');
  for (let i = 0; i < 3; i++) await writeTestPhoto(join(inDir, `p${i}.png`), 16, 16, i + 10);
  const send = (signal?: AbortSignal) => {
    const events: RestoreEvent[] = [];
    const done = submitFarmJob({ redisUrl: redis.url, inputs: [inDir], outDir: join(dir, 'out'), settings: { modelId: 'none' }, identify: (p, s) => sender.engine.identities.identify(p, s), emit: (e) => events.push(e), ...(signal ? { signal } : {}) });
    return { events, done };
  };
  const waitFor = async (check: () => Promise<boolean> | boolean) => {
    while (!(await check())) await new Promise((r) => setTimeout(r, 20));
  };
  try {
    const abortFirst = new AbortController();
    const first = send(abortFirst.signal);
    await waitFor(async () => (await queue.getWaitingCount()) === 3);
    const second = send();
    await waitFor(() => second.events.some((e) => e.type === 'job-started'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await queue.getWaitingCount(), 3, 'the second job added no entries of its own');
    abortFirst.abort();
    assert.equal((await first.done).cancelled, true);
    await worker.start();
    const summary = await second.done;
    assert.deepEqual([summary.succeeded, summary.failed, summary.skipped, summary.cancelled], [3, 0, 0, false]);
    assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['p0.png', 'p1.png', 'p2.png']);
  } finally {
    await close();
  }
});

test('a big folder on the farm: a worker starts on the first photo before the rest are hashed; the total is finalised when the listing ends, job-finished only after it', { timeout: 120_000 }, async () => {
  const { redis, dir, sender, worker, inDir, close } = await farmRig('heirloom-farm-big-', 'big-w');
  for (let i = 0; i < 1000; i++) writeFileSync(join(inDir, `p${String(i).padStart(4, '0')}.png`), await tinyDistinctPng(i));
  const client = new (await import('ioredis')).Redis({ ...redisOptionsFromUrl(redis.url) });
  try {
    await worker.start();
    const events: RestoreEvent[] = [];
    let firstRestored: () => void = () => undefined;
    const restored = new Promise<void>((r) => (firstRestored = r));
    const abort = new AbortController();
    let hashed = 0;
    const summary = await submitFarmJob({
      redisUrl: redis.url,
      inputs: [inDir],
      outDir: join(dir, 'out'),
      settings: { modelId: 'none' },
      // Photo 2 and later are hashed only once a worker restored photo 1: a sender that hashed (or queued) every photo first would never get there.
      identify: async (path, signal) => {
        if (hashed++ === 1) await restored;
        return sender.engine.identities.identify(path, signal);
      },
      emit: (e) => {
        events.push(e);
        if (e.type === 'file-done') firstRestored();
        // Once the total is known, stop: what no worker started is taken back.
        if (e.type === 'job-listing' && e.done) abort.abort();
      },
      signal: abort.signal,
      history: { jobs: sender.jobs },
    });
    const types = events.map((e) => e.type);
    const listed = events.findIndex((e) => e.type === 'job-listing' && e.done);
    assert.ok(types.indexOf('file-done') < listed, 'a photo was restored before the listing ended');
    assert.equal(events[0]?.type === 'job-started' && events[0].listing, true);
    const total = events[listed];
    assert.equal(total?.type === 'job-listing' && total.files, 1000);
    assert.equal(types.at(-1), 'job-finished');
    assert.ok(types.lastIndexOf('job-listing') < types.indexOf('job-finished'));
    assert.equal(await client.hget(farmKeys.job(summary.jobId), 'files'), '1000', "the farm's record of the job has its final count");
    assert.equal(summary.cancelled, true);
    const recorded = sender.jobs.getJob(summary.jobId)!;
    assert.equal(recorded.listed, true);
    assert.equal(recorded.files.length, 1000, 'every photo reached is in the history');
    assert.ok(recorded.files.filter((f) => f.status === 'done').every((f) => f.ranOn === 'big-w'));
  } finally {
    client.disconnect();
    await close();
  }
});

test("the studio's Pause of a farm job takes back what no worker started and queues it again on resume; a cancelled farm job resumed from the history re-sends only what is not done", { timeout: 120_000 }, async () => {
  const { redis, dir, sender, worker, queue, inDir, close } = await farmRig('heirloom-farm-pause-', 'pause-w');
  for (let i = 0; i < 6; i++) await writeTestPhoto(join(inDir, `p${i}.png`), 16, 16, i + 40);
  const until = async (check: () => Promise<boolean> | boolean) => {
    const end = Date.now() + 30_000;
    while (!(await check())) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    const { PauseGate } = await import('../../../src/core/scheduler/pause-gate.js');
    const gate = new PauseGate();
    const abort = new AbortController();
    const events: RestoreEvent[] = [];
    const job = submitFarmJob({ redisUrl: redis.url, inputs: [inDir], outDir: join(dir, 'out'), settings: { modelId: 'none' }, identify: (p, s) => sender.engine.identities.identify(p, s), emit: (e) => events.push(e), signal: abort.signal, pause: gate, history: { jobs: sender.jobs } });
    await until(async () => (await queue.getWaitingCount()) === 6);
    const queuedOrder = (await queue.getWaiting()).map((entry) => entry.id);
    gate.pause();
    await until(async () => (await queue.getWaitingCount()) === 0);
    gate.resume();
    await until(async () => (await queue.getWaitingCount()) === 6);
    assert.deepEqual((await queue.getWaiting()).map((entry) => entry.id), queuedOrder, 'queued again in the order they were queued first (photos are restored in their order)');
    // Paused again, then cancelled (Ctrl+C): nothing is left in the queue, every photo waits in the history as cancelled.
    gate.pause();
    await until(async () => (await queue.getWaitingCount()) === 0);
    abort.abort();
    const cancelled = await job;
    assert.deepEqual([cancelled.cancelled, cancelled.succeeded], [true, 0]);
    const before = sender.jobs.getJob(cancelled.jobId)!;
    assert.deepEqual([before.status, before.files.map((f) => f.status)], ['cancelled', new Array(6).fill('cancelled')]);

    // One photo is restored by another job meanwhile; History's Resume re-sends the job's photos into the same history job.
    writeFileSync(join(inDir, 'p6.png'), readFileSync(join(inDir, 'p0.png')));
    await worker.start();
    const again: RestoreEvent[] = [];
    const resumed = await submitFarmJob({ redisUrl: redis.url, inputs: [inDir], outDir: join(dir, 'out'), settings: { modelId: 'none' }, identify: (p, s) => sender.engine.identities.identify(p, s), emit: (e) => again.push(e), history: { jobs: sender.jobs }, resumeJobId: cancelled.jobId });
    assert.equal(resumed.jobId, cancelled.jobId);
    assert.deepEqual([resumed.succeeded, resumed.failed, resumed.skipped, resumed.cancelled], [6, 0, 1, false], 'the six photos, and the new twin of p0 skipped');
    const after = sender.jobs.getJob(cancelled.jobId)!;
    assert.equal(after.status, 'finished');
    assert.deepEqual(after.files.filter((f) => f.status === 'done').map((f) => f.ranOn), new Array(6).fill('pause-w'), 'History shows where each photo ran');
    assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['p0.png', 'p1.png', 'p2.png', 'p3.png', 'p4.png', 'p5.png']);

    // Resumed once more: nothing is left to send, nothing is restored twice.
    sender.jobs.finishJob(cancelled.jobId, { status: 'cancelled', ms: 0 });
    const nothing = await submitFarmJob({ redisUrl: redis.url, inputs: [inDir], outDir: join(dir, 'out'), settings: { modelId: 'none' }, identify: (p, s) => sender.engine.identities.identify(p, s), emit: () => undefined, history: { jobs: sender.jobs }, resumeJobId: cancelled.jobId });
    assert.deepEqual([nothing.succeeded, nothing.failed, nothing.skipped], [0, 0, 0]);
  } finally {
    await close();
  }
});

/** A 6x6 PNG whose pixels carry `i`: distinct content for each index. */
async function tinyDistinctPng(i: number): Promise<Buffer> {
  const pixels = Buffer.alloc(6 * 6 * 3, i % 251);
  pixels.writeUInt32BE(i, 0);
  return (await import('sharp')).default(pixels, { raw: { width: 6, height: 6, channels: 3 } }).png().toBuffer();
}

/** A redis-server, a sender's engine and a worker (not started) on their own data folders, the farm's queue, and an input folder. */
async function farmRig(prefix: string, workerName: string) {
  const redis = await startRedis();
  const dir = tempDir(prefix);
  const sender = testEngine(join(dir, 'sender-home'));
  const { engine, dispose } = testEngine(join(dir, 'worker-home'));
  const worker = new FarmWorker({ redisUrl: redis.url, engine, name: workerName });
  const queue = new Queue(FARM_QUEUE, { connection: redisOptionsFromUrl(redis.url), prefix: FARM_PREFIX });
  const inDir = join(dir, 'in');
  mkdirSync(inDir);
  const close = async () => {
    await worker.stop(1000);
    await queue.close();
    await dispose();
    await sender.dispose();
    await redis.stop();
  };
  return { redis, dir, sender, worker, queue, inDir, close };
}
