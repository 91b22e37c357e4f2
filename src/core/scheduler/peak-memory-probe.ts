import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Peak resident memory of this process during one operation, on Linux: writing 5 to
 * /proc/self/clear_refs resets the high-water mark (VmHWM) to the current RSS, so the peak
 * after the run minus the RSS before it is what the run itself needed. Elsewhere: undefined.
 */
export function startPeakMeasurement(): (() => number | undefined) | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    const before = readStatusKb('VmRSS');
    if (before === undefined) return undefined;
    return () => {
      const peak = readStatusKb('VmHWM');
      return peak === undefined ? undefined : Math.max(0, (peak - before) * 1024);
    };
  } catch {
    return undefined;
  }
}

/** Peak resident bytes of this process so far (VmHWM), or undefined where /proc is absent. */
export function peakResidentBytes(): number | undefined {
  const kb = readStatusKb('VmHWM');
  return kb === undefined ? undefined : kb * 1024;
}

function readStatusKb(field: string): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
