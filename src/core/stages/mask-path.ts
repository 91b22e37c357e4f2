import { basename, dirname, extname, join } from 'node:path';

/** Where a photo's sidecar with this suffix goes: "<output name><suffix>" beside the output. */
export function sidecarPathFor(output: string, suffix: string): string {
  return join(dirname(output), basename(output, extname(output)) + suffix);
}

/** The repair's damage mask beside an output: "<output name>.mask.png". */
export function maskPathFor(output: string): string {
  return sidecarPathFor(output, '.mask.png');
}
