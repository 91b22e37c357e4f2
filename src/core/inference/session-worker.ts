/**
 * An inference thread: owns one ONNX Runtime session. onnxruntime-node's run() computes on
 * the thread that calls it, so calling it here keeps the main thread's event loop (the
 * Electron main process, progress events, decoding and encoding of other photos) free
 * while the model runs. Started by threaded-session.ts; speaks session-messages.ts.
 */
import { parentPort } from 'node:worker_threads';
import { ModelSession, type TensorData } from './ort-backend.js';
import type { SessionReply, SessionRequest } from './session-messages.js';

if (!parentPort) throw new Error('session-worker.ts runs only as a worker thread (see threaded-session.ts).');
const port = parentPort;

let session: ModelSession | undefined;

type ReplyValue = Extract<SessionReply, { ok: true }>['value'];

async function handle(request: SessionRequest): Promise<{ value: ReplyValue; transfer: ArrayBuffer[]; recycled?: ArrayBuffer[] }> {
  switch (request.kind) {
    case 'open': {
      if (session) throw new Error('This inference thread already has a session.');
      session = await ModelSession.open(request.model, request.config);
      return { value: { inputNames: [...session.inputNames], outputNames: [...session.outputNames], inputs: [...session.inputs], outputs: [...session.outputs] }, transfer: [] };
    }
    case 'run': {
      if (!session) throw new Error('The inference thread has no open session.');
      const outputs = await session.run(request.inputs);
      return { value: outputs, transfer: transferable(outputs), recycled: Object.values(request.inputs).map((t) => t.data.buffer as ArrayBuffer) };
    }
    case 'dispose': {
      await session?.dispose();
      session = undefined;
      return { value: null, transfer: [] };
    }
  }
}

/** Output buffers move to the main thread instead of being copied (each buffer once). */
function transferable(outputs: Record<string, TensorData>): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const t of Object.values(outputs)) if (t.data.buffer instanceof ArrayBuffer) buffers.add(t.data.buffer);
  return [...buffers];
}

// One request at a time, in order: a dispose must never release the session under a run
// that is still to start (the runtime schedules its native run for later in the loop).
let previous: Promise<unknown> = Promise.resolve();
port.on('message', (request: SessionRequest) => {
  previous = previous.then(() => answer(request));
});

function answer(request: SessionRequest): Promise<void> {
  return handle(request).then(
    ({ value, transfer, recycled = [] }) => {
      try {
        port.postMessage({ id: request.id, ok: true, value, recycled } satisfies SessionReply, [...transfer, ...recycled]);
      } catch {
        // A buffer the runtime owns cannot be moved: send a copy instead.
        port.postMessage({ id: request.id, ok: true, value } satisfies SessionReply);
      }
    },
    (error: unknown) => {
      const reply: SessionReply = { id: request.id, ok: false, error: { name: (error as Error)?.name ?? 'Error', message: (error as Error)?.message ?? String(error) } };
      port.postMessage(reply);
    },
  );
}
