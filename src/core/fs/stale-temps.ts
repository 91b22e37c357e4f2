import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { TEMP_SUFFIX } from './atomic-output.js';

const WRITE_PROBE = /^\.heirloom-write-test-(\d+)$/;

/**
 * Removes what a killed run left in an output folder: hidden `*.heirloom-tmp` files (an
 * output being encoded or committed) and write probes of processes that are gone. Only
 * call it when no live job writes into `dir`. Returns the removed paths.
 */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return []; // no folder, nothing left behind
  }
  const removed: string[] = [];
  for (const name of names) {
    const probe = WRITE_PROBE.exec(name);
    const stale = (name.startsWith('.') && name.endsWith(TEMP_SUFFIX)) || (probe !== null && !pidExists(Number(probe[1])));
    if (!stale) continue;
    const path = join(dir, name);
    try {
      await fs.rm(path, { force: true });
      removed.push(path);
    } catch {
      // A file we cannot remove stays; it is hidden and never taken as input.
    }
  }
  return removed;
}

function pidExists(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
