import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { HOST_TAG, TEMP_SUFFIX, tempOwner } from './atomic-output.js';

/** A write probe: `.heirloom-write-test-<pid>[-<host tag>-<random>]` (older ones carry only the pid). */
const WRITE_PROBE = /^\.heirloom-write-test-(\d+)(?:-([0-9a-f]{6})-[0-9a-f]+)?$/;

/**
 * Removes what a killed run left in an output folder: hidden `*.heirloom-tmp` files (an
 * output being encoded or committed) and write probes of processes that are gone. A
 * temporary whose name says who wrote it is removed only when that was a process of this
 * machine that is gone (a shared farm folder holds other machines' live temporaries);
 * older unnamed ones only when no live job writes into `dir`. Returns the removed paths.
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
    const stale = (name.startsWith('.') && name.endsWith(TEMP_SUFFIX) && writerIsGone(name)) || (probe !== null && (probe[2] === undefined || probe[2] === HOST_TAG) && !pidExists(Number(probe[1])));
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

/** A temporary's writer is gone: a process of this machine that no longer runs (unnamed, older temporaries count as gone). */
function writerIsGone(name: string): boolean {
  const owner = tempOwner(name);
  if (!owner) return true;
  return owner.host === HOST_TAG && !pidExists(owner.pid);
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
