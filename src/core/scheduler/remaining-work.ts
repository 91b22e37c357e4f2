/** What is left of a job, for its ETA (in the units the throughput meter measures: tile-core pixels). */
export interface RemainingWork {
  /** Core pixels of the tiles waiting for inference. */
  queuedTilePixels: number;
  /** Photos not decoded yet (waiting, or being decoded): pixels from their headers, undefined where the header could not be read. */
  waitingPhotos: ReadonlyArray<number | undefined>;
  /** Further photos whose sizes are not known at all (listed, not handed to the executor yet). */
  unseenPhotos?: number;
  /** Photos decoded so far: their pixels and the tile-core pixels their tiles cover (tiles overlap, so more). */
  decoded: ReadonlyArray<{ imagePixels: number; workPixels: number }>;
}

/**
 * Tile-core pixels still to run. A photo not decoded yet counts with its header's size (a
 * photo without one, with the average of those known, else of the photos decoded so
 * far), scaled by the tiles' overlap seen so far: never as zero, which made early ETAs
 * far too low. Undefined when a waiting photo's size cannot be guessed at all.
 */
export function remainingWorkPixels(work: RemainingWork): number | undefined {
  const headers = work.waitingPhotos.filter((p): p is number => p !== undefined && p > 0);
  const decodedImage = work.decoded.reduce((sum, d) => sum + d.imagePixels, 0);
  const decodedWork = work.decoded.reduce((sum, d) => sum + d.workPixels, 0);
  const typical = headers.length > 0 ? mean(headers) : work.decoded.length > 0 ? decodedImage / work.decoded.length : undefined;
  const unknown = work.waitingPhotos.length - headers.length + (work.unseenPhotos ?? 0);
  if (unknown > 0 && typical === undefined) return undefined;
  const overlap = decodedImage > 0 ? decodedWork / decodedImage : 1;
  const waitingPixels = headers.reduce((sum, p) => sum + p, 0) + unknown * (typical ?? 0);
  return Math.round(work.queuedTilePixels + waitingPixels * overlap);
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
