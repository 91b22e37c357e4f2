// The inference thread's entry when Heirloom runs from its TypeScript source (the CLI and
// the tests, through tsx): a new thread starts without the parent's loader, so register
// tsx here first. The packaged app uses the bundled session-worker.cjs instead.
import { register } from 'tsx/esm/api';

register();
await import('./session-worker.ts');
