/**
 * Waits until the release handed to `register` is called, or `signal` aborts. The abort
 * listener is removed on release: a long job waits thousands of times on one signal.
 */
export function abortableWait(register: (release: () => void) => void, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const onAbort = () => resolve();
    register(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
