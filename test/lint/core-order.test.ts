import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function importErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport const used = value;\n`, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test('a core folder importing a folder above it fails the lint', async () => {
  const errors = await importErrors('src/core/scheduler/wrong.ts', "import { value } from '../restore/restore-engine.js';");
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /core\/scheduler sits below core\/restore/);
});

test('a nested core folder importing upward fails too', async () => {
  const errors = await importErrors('src/core/models/catalog/wrong.ts', "import { value } from '../../studio/studio-service.js';");
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /core\/models sits below core\/studio/);
});

test('importing a folder below is allowed', async () => {
  assert.deepEqual(await importErrors('src/core/restore/fine.ts', "import { value } from '../scheduler/photo-executor.js';"), []);
  assert.deepEqual(await importErrors('src/core/stages/fine.ts', "import { value } from '../faces/face-pass.js';"), []);
});

test('the owner rules still hold inside a folder: only core/store imports better-sqlite3', async () => {
  const errors = await importErrors('src/core/scheduler/wrong.ts', "import value from 'better-sqlite3';");
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /Only src\/core\/store/);
  assert.deepEqual(await importErrors('src/core/store/fine.ts', "import value from 'better-sqlite3';"), []);
});
