import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { HeirloomError } from '../../shared/errors.js';
import { redactRedisUrl, type FarmStatus, type FarmView } from '../../shared/farm.js';
import { redisOptionsFromUrl } from '../farm/farm-connection.js';
import { readFarmStatus } from '../farm/farm-status.js';

const FileSchema = z.object({ url: z.string().min(1).max(2000) });

/**
 * The studio's Farm setting (issue #18): the Redis URL, password included, in its own file
 * `<home>/farm.json` readable by this user only (never in app-settings.json, the history or
 * a log). The page only ever sees it without the password (`view`).
 */
export class FarmSettingsStore {
  constructor(readonly file: string) {}

  static inHome(home: string): FarmSettingsStore {
    return new FarmSettingsStore(join(home, 'farm.json'));
  }

  /** The URL to connect with (core only), or undefined when no farm is set. */
  async url(): Promise<string | undefined> {
    const text = await fs.readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw new HeirloomError('STORE_FAILED', `Could not read the farm setting ${this.file} (${error.message}). Check the data folder's permissions.`, { file: this.file });
    });
    if (text === undefined) return undefined;
    try {
      const parsed = FileSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data.url : undefined;
    } catch {
      return undefined;
    }
  }

  async view(): Promise<FarmView> {
    const url = await this.url();
    return { url: url === undefined ? null : redactRedisUrl(url) };
  }

  /** Sets (checked as a Redis URL) or clears the farm; written to a temporary file, then renamed, mode 0600. */
  async set(url: string | null): Promise<FarmView> {
    if (url === null) {
      await fs.rm(this.file, { force: true });
      return { url: null };
    }
    redisOptionsFromUrl(url);
    const temp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    await fs.writeFile(temp, JSON.stringify({ url }), { mode: 0o600 });
    await fs.rename(temp, this.file);
    return this.view();
  }

  /** The farm's workers and queue, or null when no farm is set. */
  async status(): Promise<FarmStatus | null> {
    const url = await this.url();
    return url === undefined ? null : readFarmStatus(url);
  }
}
