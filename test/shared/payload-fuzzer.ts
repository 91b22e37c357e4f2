/**
 * Deterministic malformed payloads for the contract tests: a seeded PRNG (mulberry32), so a
 * failure names a seed and replays exactly. Payloads are random values and mutations of a
 * valid request (a key dropped, a wrong type, an unknown key, hostile strings and numbers).
 */
import { INVOKE, type InvokeChannel, type InvokeRequest } from '../../src/shared/contract.js';
import { seededRandom } from '../helpers/seeded-random.js';

/** One valid request per channel: the base the mutations start from. */
export const VALID_REQUESTS: { [C in InvokeChannel]: InvokeRequest<C> } = {
  'app:info': {},
  'jobs:start': { inputs: ['/photos/a.jpg'], outDir: '/photos/out', modelId: 'realesr-general-x4v3', scale: 4, tile: 128, batch: 'auto', deviceId: 'cpu', format: 'png', quality: 90 },
  'jobs:cancel': { queueId: 'q-0123456789ab' },
  'jobs:pause': {},
  'jobs:resume': {},
  'jobs:queue': {},
  'jobs:clear-finished': {},
  'jobs:history': { limit: 10, status: 'finished', filesPerJob: 200 },
  'jobs:history-files': { jobId: 'job-20260101-120000-abcdef', from: 200, limit: 200 },
  'jobs:rerun': { jobId: 'job-20260101-120000-abcdef' },
  'jobs:continue': { jobId: 'job-20260101-120000-abcdef' },
  'jobs:repair-again': { jobId: 'job-20260101-120000-abcdef', input: '/photos/scan.png', maskPng: 'iVBORw0KGgo=' },
  'models:list': {},
  'models:overview': {},
  'models:download': { id: 'gfpgan-1.4', trustUnverified: false },
  'models:cancel-download': { id: 'gfpgan-1.4' },
  'models:import': { paths: ['/models/face.param', '/models/face.bin'], id: 'my-face', name: 'My face model', overwrite: false },
  'models:remove': { id: 'gfpgan-1.4' },
  'devices:list': {},
  'settings:get': { deviceId: 'cpu' },
  'settings:set': { deviceId: 'cpu', settings: { maxBatch: 4, memoryBudget: { kind: 'fraction', value: 0.5 } } },
  'app-settings:get': {},
  'app-settings:set': { outputDir: '/photos/out', format: 'jpeg', quality: 90, keepMetadata: true },
  'watch:list': {},
  'watch:add': { path: '/photos/in', outDir: '/photos/out', preset: { modelId: 'realesr-general-x4v3', faces: false, format: 'keep' } },
  'watch:pause': { id: 'w-1' },
  'watch:resume': { id: 'w-1' },
  'watch:remove': { id: 'w-1' },
  'files:inspect': { paths: ['/photos/a.jpg'] },
  'dialogs:open-photos': { mode: 'files' },
  'dialogs:choose-folder': { title: 'Output' },
  'dialogs:open-model-files': {},
  'shell:open-path': { path: '/photos/out/a.png', action: 'reveal' },
  'farm:get': {},
  'farm:set': { url: 'redis://:secret@farm.local:6379' },
  'farm:status': {},
};

const HOSTILE_STRINGS = ['', ' ', 'a'.repeat(5000), 'x\u0000y', '../../etc/passwd', '__proto__', 'constructor', '{"$ne":1}', '\u202e\u0000', 'C:\\Windows\\system32', '%00', '😀'.repeat(50), 'relative/path.jpg'];
const HOSTILE_NUMBERS = [-1, 0, 1.5, -0, 65, 9999999999, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, 0.0001, 4097, 8193];

type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** An own property even for "__proto__" (plain assignment would set the prototype instead). */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, configurable: true, writable: true });
}

/** Any value: what a compromised or buggy page could send (JSON-safe unless `clonable`). */
export function randomValue(random: Random, depth = 0, clonable = false): unknown {
  const kinds = depth > 3 ? 6 : clonable ? 10 : 8;
  switch (Math.floor(random() * kinds)) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return pick(random, HOSTILE_NUMBERS);
    case 3:
      return Math.round((random() - 0.5) * 2e6) / (random() < 0.5 ? 1 : 7);
    case 4:
      return pick(random, HOSTILE_STRINGS);
    case 5:
      return String.fromCharCode(...Array.from({ length: Math.floor(random() * 20) }, () => Math.floor(random() * 0xffff)));
    case 6:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1, clonable));
    case 7: {
      const object: Record<string, unknown> = {};
      for (let i = Math.floor(random() * 4); i > 0; i--) setOwn(object, pick(random, [...HOSTILE_STRINGS, 'inputs', 'paths', 'id', 'settings', 'kind', 'value']), randomValue(random, depth + 1, clonable));
      return object;
    }
    case 8:
      return pick(random, [Number.NaN, Number.POSITIVE_INFINITY, undefined, 10n]);
    default:
      return pick(random, [new Date(0), new Map([['a', 1]]), new Uint8Array([1, 2, 3]), new Set([1])]);
  }
}

/** A valid request with one or two things wrong (or a random value instead). */
export function mutatedPayload(channel: InvokeChannel, random: Random, clonable = false): unknown {
  const base = structuredClone(VALID_REQUESTS[channel]) as Record<string, unknown>;
  const roll = random();
  if (roll < 0.2) return randomValue(random, 0, clonable);
  const keys = Object.keys(base);
  const mutations = 1 + Math.floor(random() * 2);
  for (let m = 0; m < mutations; m++) {
    const choice = random();
    if (choice < 0.3 && keys.length > 0) delete base[pick(random, keys)];
    else if (choice < 0.75 && keys.length > 0) base[pick(random, keys)] = randomValue(random, 1, clonable);
    else setOwn(base, pick(random, ['extra', '__proto__', 'constructor', 'channel', 'then']), randomValue(random, 1, clonable));
  }
  return base;
}

/** `count` payloads per channel that its schema rejects (valid ones the mutations produce are skipped). */
export function malformedPayloads(seed: number, perChannel: number, clonable = false): Array<{ channel: InvokeChannel; payload: unknown }> {
  const random = seededRandom(seed);
  const result: Array<{ channel: InvokeChannel; payload: unknown }> = [];
  for (const channel of Object.keys(INVOKE) as InvokeChannel[]) {
    let made = 0;
    for (let attempts = 0; made < perChannel && attempts < perChannel * 50; attempts++) {
      const payload = mutatedPayload(channel, random, clonable);
      if (INVOKE[channel].request.safeParse(payload).success) continue;
      result.push({ channel, payload });
      made++;
    }
  }
  return result;
}
