// The inference thread's entry when Heirloom runs from its TypeScript source (the CLI and
// the tests): the CLI's cached bundle of session-worker.ts when the command runs from one
// (bin/cli-bundle.mjs), else the source through tsx (a new thread starts without the
// parent's loader, so register it here first). The packaged app uses session-worker.cjs.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const bundle = process.env.HEIRLOOM_CLI_BUNDLE_DIR;
if (bundle) {
  await import(pathToFileURL(join(bundle, 'session-worker.mjs')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./session-worker.ts');
}
