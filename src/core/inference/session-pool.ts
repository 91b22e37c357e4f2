import type { SessionConfig } from './ort-backend.js';
import { ThreadedSession } from './threaded-session.js';

/**
 * One session per (model file, device configuration), each on its own inference thread,
 * opened on first use and kept warm. A session whose thread stopped is replaced on the
 * next request.
 */
export class SessionPool {
  private readonly sessions = new Map<string, Promise<ThreadedSession>>();

  async get(modelPath: string, config: SessionConfig): Promise<ThreadedSession> {
    const key = JSON.stringify([modelPath, config.provider, config.deviceId ?? 0, config.threads ?? 0, config.memoryArena ?? true]);
    const cached = this.sessions.get(key);
    if (cached) {
      const session = await cached.catch(() => undefined);
      if (session?.alive) return session;
      if (this.sessions.get(key) === cached) this.sessions.delete(key);
      return this.get(modelPath, config);
    }
    const opening = ThreadedSession.open(modelPath, config);
    this.sessions.set(key, opening);
    // A failed open must not poison the cache: the next call retries.
    opening.catch(() => {
      if (this.sessions.get(key) === opening) this.sessions.delete(key);
    });
    return opening;
  }

  async dispose(): Promise<void> {
    const open = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(open.map(async (s) => (await s).dispose()));
  }
}
