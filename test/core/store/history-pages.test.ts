import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../../src/core/store/database.js';
import { JobStore } from '../../../src/core/store/job-store.js';
import { tempDir } from '../../helpers/images.js';

test("History's pages: a job's first photos with its count, then the next page from a position, without reading the whole job; an output is found by its index", () => {
  const db = openDatabase(join(tempDir(), 'heirloom.db'));
  try {
    const jobs = new JobStore(db);
    const inputs = Array.from({ length: 5000 }, (_, i) => `/in/p${i}.png`);
    jobs.createJob({ id: 'job-big', settings: { outDir: '/out' }, modelId: 'm', deviceId: 'cpu', inputs });
    jobs.markFileDone('job-big', 4321, { outputPath: '/out/p4321.png', width: 8, height: 8, ms: 3 });
    jobs.createJob({ id: 'job-small', settings: {}, modelId: 'm', deviceId: 'cpu', inputs: ['/in/a.png', '/in/b.png'] });

    const listed = jobs.listJobs({ filesPerJob: 200 });
    assert.deepEqual(listed.map((j) => [j.id, j.files.length, j.fileCount]), [['job-small', 2, 2], ['job-big', 200, 5000]]);
    assert.deepEqual(listed[1]!.files.map((f) => f.position), [...Array(200).keys()]);
    // Without filesPerJob every photo, as the CLI's history prints them.
    assert.equal(jobs.listJobs().find((j) => j.id === 'job-big')!.files.length, 5000);

    const page = jobs.jobFiles('job-big', 4300, 200);
    assert.deepEqual([page.length, page[0]!.position, page.at(-1)!.position], [200, 4300, 4499]);
    assert.equal(page.find((f) => f.position === 4321)?.outputPath, '/out/p4321.png');
    assert.deepEqual(jobs.jobFiles('job-big', 4900, 200).map((f) => f.position).at(-1), 4999, 'the last page is short');
    assert.deepEqual(jobs.jobFiles('job-big', 5000, 200), []);
    // Opening an output asks the index, not every file of the newest jobs.
    assert.equal(jobs.wroteRecently('/out/p4321.png', 500), true);
    assert.equal(jobs.wroteRecently('/out/p4320.png', 500), false, 'never written');
    assert.equal(jobs.wroteRecently('/out/p4321.png', 1), false, 'not among the newest job');
    // Repair again finds its photo by path, without reading the job's 5,000 photos.
    assert.deepEqual([jobs.findFile('job-big', '/in/p4321.png')?.position, jobs.findFile('job-big', '/in/p4321.png')?.outputPath], [4321, '/out/p4321.png']);
    assert.equal(jobs.findFile('job-big', '/in/elsewhere.png'), undefined);
    assert.equal(jobs.findFile('job-small', '/in/p4321.png'), undefined, 'another job\'s photo');
    const head = jobs.getJob('job-big', { filesPerJob: 0 })!;
    assert.deepEqual([head.files.length, head.fileCount, head.settings['outDir']], [0, 5000, '/out']);
  } finally {
    db.close();
  }
});
