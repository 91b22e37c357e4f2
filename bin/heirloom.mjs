#!/usr/bin/env node
// The `heirloom` command: the TypeScript CLI, from a cached esbuild bundle of the source tree
// (start-up, see cli-bundle.mjs) or else through tsx, so a fresh clone works after `npm ci`.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLE_ENV, cliBundle } from './cli-bundle.mjs';

const bundle = await cliBundle();
if (bundle) {
  process.env[BUNDLE_ENV] = bundle;
  await import(pathToFileURL(join(bundle, 'main.mjs')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
