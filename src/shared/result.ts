import type { ErrorInfo } from './errors.js';

/** Invokes across IPC return a Result: errors never cross as thrown exceptions (only `message` would survive). */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = <T = never>(error: ErrorInfo): Result<T> => ({ ok: false, error });
