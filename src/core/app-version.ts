import { readFileSync } from 'node:fs';

/** This checkout's (or installed package's) version from package.json; '0.0.0' when it cannot be read (a bundle). */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
