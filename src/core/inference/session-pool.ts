import { ModelSession, type SessionConfig } from './ort-backend.js';

/** One session per (model file, device configuration), opened on first use and kept warm. */
export class SessionPool {
  private readonly sessions = new Map<string, Promise<ModelSession>>();

  async get(modelPath: string, config: SessionConfig): Promise<ModelSession> {
    const key = JSON.stringify([modelPath, config.provider, config.deviceId ?? 0, config.threads ?? 0, config.memoryArena ?? true]);
    let session = this.sessions.get(key);
    if (!session) {
      session = ModelSession.open(modelPath, config);
      this.sessions.set(key, session);
      // A failed open must not poison the cache: the next call retries.
      session.catch(() => this.sessions.delete(key));
    }
    return session;
  }

  async dispose(): Promise<void> {
    const open = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(open.map(async (s) => (await s).dispose()));
  }
}
