/**
 * Bounds how long Heirloom waits for a decoder. sharp can leave a promise unsettled on a
 * damaged file: with sharp 0.35 / libvips 8.18, metadata() on a HEIF whose boxes point past
 * its end never settled in a plain script (20 runs of 20; through Heirloom's own path the
 * same file was rejected). Without a deadline one such file would stall a batch forever,
 * or let the process exit mid-batch with nothing reported.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
