import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../src/core/store/database.js';
import { JobStore } from '../../../src/core/store/job-store.js';
import { QueueJournal } from '../../../src/core/studio/queue-journal.js';
import type { RestoreRequest } from '../../../src/core/restore/restore-engine.js';

describe('the queue journal read back after a restart', () => {
  const earlier = { output: '/photos/restored/a.png', outputSha256: 'a'.repeat(64), scratches: true, saveMasks: true, fading: true, faces: false };

  function roundTrip(repairAgainOf: unknown): RestoreRequest {
    const dir = mkdtempSync(join(tmpdir(), 'heirloom-journal-'));
    const db = openDatabase(join(dir, 'heirloom.db'));
    try {
      const journal = new QueueJournal(new JobStore(db));
      const request = { inputs: ['/photos/a.png'], outDir: '/photos/restored', maskFile: '/tmp/a.mask.png', repairAgainOf } as unknown as RestoreRequest;
      journal.queued({ request, settings: { outDir: '/photos/restored' } as never, files: ['/photos/a.png'] });
      const [pending] = journal.pending();
      assert.ok(pending, 'the queued job came back');
      return pending.request;
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('brings a queued Repair again back with its mask but not its origin: after a restart it runs in full', () => {
    const request = roundTrip(earlier);
    assert.equal(request.repairAgainOf, undefined);
    assert.equal(request.outDir, '/photos/restored');
    assert.equal(request.maskFile, '/tmp/a.mask.png');
    assert.deepEqual(request.inputs, ['/photos/a.png']);
  });
});
