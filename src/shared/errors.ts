/**
 * Error codes are a closed union so every layer (CLI --json, IPC, UI) can branch on them
 * and tests can assert them. Messages are for people; codes are for programs.
 */
export const ERROR_CODES = [
  'USAGE',
  'NOT_FOUND',
  'NOT_A_FILE',
  'PERMISSION_DENIED',
  'EMPTY_FILE',
  'UNSUPPORTED_FORMAT',
  'DECODE_FAILED',
  'TRUNCATED',
  'TOO_MANY_PIXELS',
  'TOO_SMALL',
  'BAD_ASPECT',
  'SYMLINK_LOOP',
  'ENCODE_FAILED',
  'OUTPUT_NOT_WRITABLE',
  'OUTPUT_EXISTS',
  'MODEL_NOT_FOUND',
  'MODEL_INVALID',
  'MODEL_CONVERSION_FAILED',
  'DOWNLOAD_FAILED',
  'CHECKSUM_MISMATCH',
  'PROVIDER_UNAVAILABLE',
  'OUT_OF_MEMORY',
  'INFERENCE_FAILED',
  /** A stage around the network (repair, fading, faces) failed on a photo. */
  'STAGE_FAILED',
  'DEVICE_NOT_FOUND',
  'INVALID_SETTING',
  'INVALID_PAYLOAD',
  'CANCELLED',
  'STORE_FAILED',
  /** The history database is held by another program past the busy timeout. */
  'STORE_LOCKED',
  /** The data folder (or the database file) cannot be written. */
  'STORE_READ_ONLY',
  /** A newer Heirloom wrote the history database: this one refuses to touch it. */
  'STORE_TOO_NEW',
  /** The history database is damaged (and could not be moved aside). */
  'STORE_DAMAGED',
  /** The disk holding the file or folder concerned is full. */
  'DISK_FULL',
  /** A file-system call did not answer in time (a stalled network share or drive). */
  'TIMED_OUT',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  /** What failed and what to do, in one or two sentences a user can act on. */
  message: string;
  /** The file (photo, model, folder) concerned, when there is one. */
  file?: string;
  /** The underlying error text, for logs and bug reports. */
  cause?: string;
}

/** An error that knows its code and the file concerned; thrown inside core, serialised at the edges. */
export class HeirloomError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;

  constructor(code: ErrorCode, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HeirloomError';
    this.code = code;
    this.file = options.file;
  }

  toInfo(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, message: this.message };
    if (this.file !== undefined) info.file = this.file;
    const cause = describeCause(this.cause);
    if (cause !== undefined) info.cause = cause;
    return info;
  }
}

function describeCause(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

/** Any thrown value as ErrorInfo; unknown errors become INTERNAL with their text kept as cause. */
export function toErrorInfo(error: unknown, fallback: { code?: ErrorCode; file?: string } = {}): ErrorInfo {
  if (error instanceof HeirloomError) {
    const info = error.toInfo();
    if (info.file === undefined && fallback.file !== undefined) info.file = fallback.file;
    return info;
  }
  const text = error instanceof Error ? error.message : String(error);
  const info: ErrorInfo = {
    code: fallback.code ?? 'INTERNAL',
    message: `Unexpected error: ${text}. Please report it with the file that caused it.`,
    cause: text,
  };
  if (fallback.file !== undefined) info.file = fallback.file;
  return info;
}
