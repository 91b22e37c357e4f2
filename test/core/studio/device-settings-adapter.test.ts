import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSettingAssignments } from '../../../src/core/devices/setting-assignments.js';
import { toAssignments } from '../../../src/core/studio/device-settings-adapter.js';
import { estimateRemainingMs } from '../../../src/core/studio/eta.js';

describe('device settings adapter', () => {
  it('writes a patch as key=value words that the device service parses back to the same values', () => {
    const patch = { enabled: false, provider: 'cpu' as const, precision: 'fp32' as const, tileSize: 256, memoryBudget: { kind: 'bytes' as const, value: 1536 * 1024 * 1024 }, maxBatch: 6, threads: 'auto' as const };
    const words = toAssignments(patch);
    assert.deepEqual(words, ['enabled=false', 'provider=cpu', 'precision=fp32', 'tileSize=256', 'memoryBudget=1536MB', 'maxBatch=6', 'threads=auto']);
    const parsed = parseSettingAssignments(words, { id: 'cpu', candidates: ['cpu'], unavailable: {} });
    assert.deepEqual(parsed.values, patch);
    const fraction = parseSettingAssignments(toAssignments({ memoryBudget: { kind: 'fraction', value: 0.35 } }), { id: 'cpu', candidates: ['cpu'], unavailable: {} });
    assert.deepEqual(fraction.values.memoryBudget, { kind: 'fraction', value: 0.35 });
  });
});

describe('estimateRemainingMs', () => {
  it('extrapolates the pace so far, and says nothing before there is a pace', () => {
    assert.equal(estimateRemainingMs({ startedAt: 0, now: 10_000, totalPhotos: 4, finishedPhotos: 2, runningFractions: [] }), 10_000);
    assert.equal(estimateRemainingMs({ startedAt: 0, now: 3_000, totalPhotos: 4, finishedPhotos: 1, runningFractions: [0.5] }), 5_000);
    assert.equal(estimateRemainingMs({ startedAt: 0, now: 100, totalPhotos: 4, finishedPhotos: 0, runningFractions: [0.01] }), undefined);
    assert.equal(estimateRemainingMs({ startedAt: 0, now: 5_000, totalPhotos: 2, finishedPhotos: 2, runningFractions: [] }), 0);
  });
});
