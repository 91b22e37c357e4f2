#!/usr/bin/env node
// The `heirloom` command: runs the TypeScript CLI through tsx so a fresh clone works after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
