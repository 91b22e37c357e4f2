import { readFileSync } from 'node:fs';
import { hostname, uptime } from 'node:os';
import { randomBytes } from 'node:crypto';

/** Without /proc: a constant per process (every ProcessOwner in one process gets the same token). */
const PROCESS_INSTANCE = `i${randomBytes(6).toString('hex')}`;

/** When the machine booted, in minutes; read once, so a clock adjustment later cannot change this process's token. */
const BOOT_MINUTE = String(Math.round((Date.now() / 1000 - uptime()) / 60));

/**
 * Who owns a job or a watch folder: this host, this boot, this process. Written into the
 * store so another process can tell a live owner from one that was killed. A pid alone is
 * not enough: after a power cut, or in a container that restarts, the same pid comes back
 * for another process. So the token also carries the boot time and the process's start
 * time (Linux: from /proc; elsewhere a random instance id that only this process knows).
 */
export class ProcessOwner {
  readonly token: string;

  constructor(
    private readonly host = hostname(),
    private readonly boot = BOOT_MINUTE,
    private readonly pid = process.pid,
    private readonly start = processStart(process.pid) ?? PROCESS_INSTANCE,
  ) {
    this.token = [host, boot, pid, start].join('|');
  }

  /** Whether the owner named by `token` is still running (unknown hosts count as alive: they cannot be checked). */
  isAlive(token: string | null | undefined): boolean {
    if (!token) return false;
    if (token === this.token) return true;
    const [host, boot, pidText, start] = token.split('|');
    const pid = Number(pidText);
    if (host !== this.host) return true;
    if (!Number.isInteger(pid) || pid <= 0 || start === undefined || boot === undefined) return false;
    // Boot time read twice can differ by a rounding step; a reboot moves it by far more.
    if (Math.abs(Number(boot) - Number(this.boot)) > 1) return false;
    if (pid === this.pid) return start === this.start; // our pid with another start time: a previous process that had it
    if (!pidExists(pid)) return false;
    const actualStart = processStart(pid);
    if (actualStart !== undefined) return actualStart === start;
    // Without /proc the start time is unknown: a random instance id means "trust the pid".
    return start.startsWith('i');
  }
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Linux: the process's start time in clock ticks since boot (field 22 of /proc/PID/stat). */
function processStart(pid: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[19];
    return start ? `t${start}` : undefined;
  } catch {
    return undefined;
  }
}
