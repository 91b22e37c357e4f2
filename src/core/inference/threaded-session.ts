/**
 * A model session on its own thread (session-worker.ts), with ModelSession's surface. The
 * runtime computes on the thread that calls run(), so this is what keeps the main thread
 * free during inference: the Electron main process stays responsive, and the executor can
 * decode, blend and encode other photos while an accelerator runs the model. One thread
 * per session, and so one per device lane.
 */
import { Worker } from 'node:worker_threads';
import { HeirloomError } from '../../shared/errors.js';
import type { InputTensorData, SessionConfig, TensorData, TensorInfo } from './ort-backend.js';
import type { OpenedSession, SessionReply, SessionRequest, ThreadError } from './session-messages.js';

/** Omit applied to each member of a union (plain Omit would merge the members). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A request before it is numbered. */
type Request = DistributiveOmit<SessionRequest, 'id'>;

/** The worker's file: a sibling bundle in the packaged app, or a boot file that loads the TypeScript source through tsx. */
function workerEntry(): URL {
  const here = import.meta.url;
  // scripts/build-app.mjs bundles session-worker.ts beside the main bundle as session-worker.cjs.
  if (here.endsWith('.cjs')) return new URL('./session-worker.cjs', here);
  return new URL('./session-worker-boot.mjs', here);
}

export class ThreadedSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private stopped: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly label: string,
    readonly config: SessionConfig,
  ) {
    worker.on('message', (reply: SessionReply) => this.settle(reply));
    worker.on('error', (error) => this.stop(error));
    worker.on('exit', (code) => this.stop(new Error(`exit code ${code}`)));
    worker.unref();
  }

  inputNames: readonly string[] = [];
  outputNames: readonly string[] = [];
  inputs: readonly TensorInfo[] = [];
  outputs: readonly TensorInfo[] = [];

  /** Opens a model file (or bytes) on a new inference thread. */
  static async open(model: string | Uint8Array, config: SessionConfig): Promise<ThreadedSession> {
    const label = typeof model === 'string' ? model : 'an in-memory model';
    const session = new ThreadedSession(new Worker(workerEntry(), { name: 'heirloom-inference' }), label, config);
    try {
      const opened = (await session.request({ kind: 'open', model, config })) as OpenedSession;
      session.inputNames = opened.inputNames;
      session.outputNames = opened.outputNames;
      session.inputs = opened.inputs;
      session.outputs = opened.outputs;
      return session;
    } catch (error) {
      await session.worker.terminate();
      throw error;
    }
  }

  /** False once the thread has stopped (crashed or disposed); the pool then opens a new one. */
  get alive(): boolean {
    return this.stopped === undefined;
  }

  /**
   * Inputs move to the thread and back: the inference thread allocates almost nothing in
   * JavaScript, so its collector seldom runs, and buffers left there piled up (+426 MB on a
   * 6000x4000 scan). They are copied first unless `handOver` says the caller is done with
   * them (the executor's batches: one copy of every tile less). Outputs move here without a copy.
   */
  async run(inputs: Record<string, InputTensorData>, options: { handOver?: boolean } = {}): Promise<Record<string, TensorData>> {
    const moved: Record<string, InputTensorData> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, tensor] of Object.entries(inputs)) {
      const whole = tensor.data.byteOffset === 0 && tensor.data.byteLength === tensor.data.buffer.byteLength;
      const data = options.handOver && whole ? tensor.data : tensor.data.slice();
      moved[name] = { data, dims: tensor.dims };
      transfer.push(data.buffer as ArrayBuffer);
    }
    return (await this.request({ kind: 'run', inputs: moved }, transfer)) as Record<string, TensorData>;
  }

  /**
   * Releases the session after any run already asked for, then ends the thread. The thread
   * is never terminated under a running model: the runtime's native code would abort the
   * whole process when it returns into a torn-down thread.
   */
  async dispose(): Promise<void> {
    if (!this.alive) return;
    try {
      await this.request({ kind: 'dispose' });
    } finally {
      this.stopped ??= new Error('disposed');
      await this.worker.terminate();
    }
  }

  private request(message: Request, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.threadStopped(this.stopped));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Keep the process alive while the thread works for us, and only then.
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ ...message, id } as SessionRequest, transfer);
    });
  }

  private settle(reply: SessionReply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(fromThread(reply.error));
  }

  private stop(reason: Error): void {
    if (this.stopped) return;
    this.stopped = reason;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const waiter of waiting) waiter.reject(this.threadStopped(reason));
  }

  private threadStopped(reason: Error): HeirloomError {
    return new HeirloomError('INFERENCE_FAILED', `The inference thread for ${this.label} stopped (${reason.message}). The photos it was running failed; restore them again, and a new thread will be started.`, { cause: reason });
  }
}

/** The runtime's own error, message intact: out-of-memory detection reads its wording. */
function fromThread(error: ThreadError): Error {
  const out = new Error(error.message);
  out.name = error.name;
  return out;
}
