import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, isAbsolute, join } from 'node:path';
import type { AppSettingsPatch } from '../../shared/contract.js';
import { HeirloomError } from '../../shared/errors.js';
import { AppSettingsSchema, type AppSettings } from '../../shared/settings.js';

/**
 * App-wide settings (output folder, format, metadata...) in `<home>/app-settings.json`.
 * Writes go to a temporary file that is renamed over the old one, so a crash never leaves
 * half a file; a file that cannot be parsed is kept aside and the defaults are used.
 */
export class AppSettingsStore {
  private writing: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  static inHome(home: string): AppSettingsStore {
    return new AppSettingsStore(join(home, 'app-settings.json'));
  }

  async get(): Promise<AppSettings> {
    await this.writing.catch(() => {});
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return AppSettingsSchema.parse({});
      throw new HeirloomError('STORE_FAILED', `Could not read the settings file ${this.file} (${(error as Error).message}). Check the data folder's permissions.`, { file: this.file, cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = AppSettingsSchema.safeParse(json);
    if (parsed.success) return parsed.data;
    // Keep the unreadable file for the user (and a bug report) instead of silently losing it.
    await fs.rename(this.file, `${this.file}.invalid-${Date.now()}`).catch(() => {});
    return AppSettingsSchema.parse({});
  }

  /** Applies a validated patch (null clears a field back to its default) and returns the result. */
  async update(patch: AppSettingsPatch): Promise<AppSettings> {
    const next = this.writing.catch(() => {}).then(async () => {
      if (typeof patch.outputDir === 'string' && !isAbsolute(patch.outputDir)) {
        throw new HeirloomError('INVALID_SETTING', `The output folder must be a full path (like /home/you/Pictures/Restored), got "${patch.outputDir}".`);
      }
      const current: Record<string, unknown> = { ...(await this.readRaw()) };
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        if (value === null) delete current[key];
        else current[key] = value;
      }
      const parsed = AppSettingsSchema.safeParse(current);
      if (!parsed.success) {
        throw new HeirloomError('INVALID_SETTING', `These settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
      }
      await this.write(parsed.data);
      return parsed.data;
    });
    this.writing = next;
    return next;
  }

  private async readRaw(): Promise<AppSettings> {
    try {
      const parsed = AppSettingsSchema.safeParse(JSON.parse(await fs.readFile(this.file, 'utf8')));
      return parsed.success ? parsed.data : AppSettingsSchema.parse({});
    } catch {
      return AppSettingsSchema.parse({});
    }
  }

  private async write(settings: AppSettings): Promise<void> {
    const temp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fs.mkdir(dirname(this.file), { recursive: true });
      await fs.writeFile(temp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
      await fs.rename(temp, this.file);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw new HeirloomError('STORE_FAILED', `Could not save the settings to ${this.file} (${(error as Error).message}). Check free disk space and the data folder's permissions.`, { file: this.file, cause: error });
    }
  }
}
