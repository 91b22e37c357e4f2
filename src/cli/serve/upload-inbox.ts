import { createWriteStream, promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HeirloomError } from '../../shared/errors.js';
import { probeImage } from '../../core/imaging/codec.js';

/** Largest upload accepted (a very large scan is ~ 300 MB as TIFF). */
export const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

/**
 * The serve run's inbox: photos dropped on the page arrive here, each in its own folder so
 * the original file name (and so the output's name) is kept. The folder lives in the data
 * directory and stays after the run, so the history's "before" images keep working.
 * Anything that is not a readable image is deleted again and refused.
 */
export class UploadInbox {
  constructor(readonly dir: string) {}

  static forRun(home: string, now = new Date()): UploadInbox {
    const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    return new UploadInbox(join(home, 'inbox', `serve-${stamp}-${randomBytes(3).toString('hex')}`));
  }

  async receive(name: string, body: Readable, declaredBytes: number | undefined, maxBytes = MAX_UPLOAD_BYTES): Promise<string> {
    const safe = safeFileName(name);
    if (declaredBytes !== undefined && declaredBytes > maxBytes) {
      throw new HeirloomError('USAGE', `${safe} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB, the most the browser bridge accepts. Restore it with "heirloom restore" instead.`, { file: safe });
    }
    const folder = join(this.dir, randomBytes(6).toString('hex'));
    await fs.mkdir(folder, { recursive: true, mode: 0o700 });
    const file = join(folder, safe);
    let received = 0;
    try {
      body.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) body.destroy(new HeirloomError('USAGE', `${safe} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB, the most the browser bridge accepts.`, { file: safe }));
      });
      await pipeline(body, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
      await probeImage(file, { maxPixels: Number.MAX_SAFE_INTEGER });
      return file;
    } catch (error) {
      await fs.rm(folder, { recursive: true, force: true });
      if (error instanceof HeirloomError) throw new HeirloomError(error.code, error.message.replaceAll(file, safe), { file: safe, cause: error });
      throw new HeirloomError('OUTPUT_NOT_WRITABLE', `Could not receive ${safe} (${(error as Error).message}). Check free disk space in ${this.dir}.`, { file: safe, cause: error });
    }
  }
}

/** A plain file name: no folders, no control characters, not hidden, at most 200 characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^\.+/, '').trim().slice(-200);
  return cleaned.length > 0 ? cleaned : 'photo';
}
