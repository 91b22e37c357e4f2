// The folder says what a file may import (see DESIGN notes): these rules make a wrong
// import fail the lint instead of relying on memory.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'stream', 'url', 'worker_threads'];

/** Native and platform libraries each have exactly one owner module in core. */
const owned = [
  { name: 'onnxruntime-node', owner: 'src/core/inference/ort-backend.ts' },
  { name: 'sharp', owner: 'src/core/imaging/**' },
  { name: 'better-sqlite3', owner: 'src/core/store/**' },
  { name: 'systeminformation', owner: 'src/core/devices/**' },
  { name: 'bullmq', owner: 'src/core/farm/**' },
  { name: 'ioredis', owner: 'src/core/farm/**' },
];

/**
 * core's folders from the bottom up: a folder may import the ones before it, never the ones
 * after it. Files at core's top level (the composition root) may import any folder.
 */
const CORE_ORDER = ['fs', 'imaging', 'inference', 'models', 'store', 'scheduler', 'devices', 'faces', 'repair', 'stages', 'restore', 'watch', 'farm', 'studio'];

const ownedRestriction = (except) =>
  owned
    .filter((o) => o.owner !== except)
    .map((o) => ({ name: o.name, message: `Only ${o.owner} may import ${o.name}; go through its API.` }));

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', '.bench/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { paths: ownedRestriction(null) }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...ownedRestriction(null), { name: 'electron', message: 'shared/ is pure TypeScript.' }],
          patterns: [
            { group: nodeBuiltins, message: 'shared/ is pure TypeScript: no Node built-ins.' },
            { group: ['**/core/**', '**/main/**', '**/renderer/**', '**/preload/**', '**/cli/**'], message: 'shared/ imports nothing above it.' },
          ],
        },
      ],
    },
  },
  // core/ is plain Node; each native library is imported only by its owner module, and each
  // folder imports only the folders below it (CORE_ORDER), so core has no cycles.
  ...CORE_ORDER.flatMap((folder, level) =>
    [null, ...owned.filter((o) => o.owner.startsWith(`src/core/${folder}/`)).map((o) => o.owner)].map((owner) => ({
      files: owner ? [owner] : [`src/core/${folder}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: [{ name: 'electron', message: 'core/ is plain Node: it runs in tests and the CLI.' }, ...ownedRestriction(owner)],
            patterns: [
              { group: ['**/main/**', '**/renderer/**', '**/preload/**', '**/cli/**'], message: 'core/ must not depend on its callers.' },
              ...CORE_ORDER.slice(level + 1).map((above) => ({
                group: [`../${above}/**`, `../../${above}/**`, `**/core/${above}/**`],
                message: `core/${folder} sits below core/${above} (see CORE_ORDER in eslint.config.js): pass what it needs in, or move the shared piece down.`,
              })),
            ],
          },
        ],
      },
    })),
  ),
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...ownedRestriction(null), { name: 'electron', message: 'The renderer talks to main only through the contract (window.heirloom).' }],
          patterns: [
            { group: nodeBuiltins, message: 'The renderer runs in a sandboxed page: no Node built-ins.' },
            { group: ['**/core/**', '**/main/**', '**/preload/**', '**/cli/**'], message: 'The renderer imports only shared/ and its own files.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ownedRestriction(null),
          patterns: [{ group: ['**/core/**', '**/renderer/**', '**/cli/**', '**/main/**'], message: 'preload exposes the contract and nothing else.' }],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'A test never imports electron.' }] }],
    },
  },
);
