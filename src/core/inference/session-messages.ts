/** What the main thread and an inference thread (session-worker.ts) say to each other. */
import type { InputTensorData, SessionConfig, TensorData, TensorInfo } from './ort-backend.js';

export type SessionRequest =
  | { id: number; kind: 'open'; model: string | Uint8Array; config: SessionConfig }
  | { id: number; kind: 'run'; inputs: Record<string, InputTensorData> }
  | { id: number; kind: 'dispose' };

export interface OpenedSession {
  inputNames: string[];
  outputNames: string[];
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

/** An error as it crosses the thread boundary (class identity does not survive cloning). */
export interface ThreadError {
  name: string;
  message: string;
}

export type SessionReply =
  /** `recycled`: the run's input buffers, handed back so they are freed by the main thread's collector (see threaded-session.ts). */
  | { id: number; ok: true; value: OpenedSession | Record<string, TensorData> | null; recycled?: ArrayBuffer[] }
  | { id: number; ok: false; error: ThreadError };
