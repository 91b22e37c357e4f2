import { InvalidArgumentError } from 'commander';

/** Parses "auto" or a whole number in [min, max]. */
export function autoOrInt(name: string, min: number, max: number) {
  return (value: string): number | 'auto' => {
    if (value === 'auto') return 'auto';
    return intInRange(name, min, max)(value);
  };
}

export function intInRange(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}${name === '--tile' || name === '--batch' ? ' or "auto"' : ''}, got "${value}".`);
    return n;
  };
}

export function oneOf<T extends string>(name: string, allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`${name} must be one of ${allowed.join(', ')}, got "${value}".`);
    return value as T;
  };
}

/** Parses a number from 0 to 1 (--face-weight, --face-fidelity). */
export function unitInterval(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`${name} must be a number from 0 to 1, got "${value}".`);
    return n;
  };
}
