/**
 * EXIF as Heirloom carries it: IFD0's descriptive tags (camera, date, description, author)
 * with the EXIF, GPS and Interop sub-directories. The thumbnail directory (IFD1) and the
 * tags that describe the source's pixel layout are dropped: the output has other pixels,
 * and a stale thumbnail would show the photo unrestored and unrotated.
 */
import { promises as fs } from 'node:fs';
import {
  TAG,
  bufferSource,
  TYPE,
  cloneIfd,
  entryNumber,
  fileSource,
  findEntry,
  longEntry,
  rationalEntry,
  readIfd,
  readTiffHeader,
  removeEntry,
  setEntry,
  shortEntry,
  writeIfd,
  type Ifd,
} from './tiff-ifd.js';

/** IFD0 tags that describe the photo rather than how its pixels are stored. */
export const DESCRIPTIVE_IFD0_TAGS: ReadonlySet<number> = new Set([
  0x010d, // DocumentName
  0x010e, // ImageDescription
  0x010f, // Make
  0x0110, // Model
  0x011d, // PageName
  0x0131, // Software
  0x0132, // DateTime
  0x013b, // Artist
  0x013c, // HostComputer
  0x4746, // Rating
  0x4749, // RatingPercent
  0x8298, // Copyright
  0x9003, // DateTimeOriginal (TIFF/EP puts it in IFD0)
  0x9c9b, // XPTitle
  0x9c9c, // XPComment
  0x9c9d, // XPAuthor
  0x9c9e, // XPKeywords
  0x9c9f, // XPSubject
]);

const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');

/** What Heirloom takes from a source's EXIF: the tags worth carrying, and its print resolution. */
export interface SourceExif {
  /** Descriptive IFD0 tags with the EXIF and GPS sub-directories; undefined when none. */
  ifd0?: Ifd;
  /** Pixels per inch from XResolution and ResolutionUnit, when stated. */
  density?: number;
}

function sourceExif(ifd0: Ifd): SourceExif {
  const kept: Ifd = {
    entries: ifd0.entries.filter((e) => DESCRIPTIVE_IFD0_TAGS.has(e.tag)),
    children: new Map([...ifd0.children].filter(([tag]) => tag === TAG.exifIfd || tag === TAG.gpsIfd)),
  };
  const density = densityOf(ifd0);
  return {
    ...(kept.entries.length > 0 || kept.children.size > 0 ? { ifd0: kept } : {}),
    ...(density ? { density } : {}),
  };
}

function densityOf(ifd0: Ifd): number | undefined {
  const x = findEntry(ifd0, TAG.xResolution);
  if (!x || x.type !== TYPE.rational || x.data.length < 8) return undefined;
  const numerator = x.data.readUInt32LE(0);
  const denominator = x.data.readUInt32LE(4);
  if (numerator === 0 || denominator === 0) return undefined;
  const unitEntry = findEntry(ifd0, TAG.resolutionUnit);
  const unit = unitEntry ? entryNumber(unitEntry) : 2;
  if (unit === 1) return undefined; // no absolute unit: an aspect ratio only
  return (numerator / denominator) * (unit === 3 ? 2.54 : 1);
}

/** Parses an EXIF block as sharp reports it (with or without the "Exif\0\0" APP1 prefix). */
export async function parseExifBlock(block: Buffer): Promise<SourceExif> {
  let start = block.subarray(0, 6).equals(EXIF_HEADER) ? 6 : -1;
  if (start < 0) {
    // HEIF and a few writers put a few bytes before the TIFF header: find it.
    const ii = block.indexOf('II*\0', 0, 'latin1');
    const mm = block.indexOf('MM\0*', 0, 'latin1');
    const found = [ii, mm].filter((i) => i >= 0 && i < 16);
    if (found.length === 0) return {};
    start = Math.min(...found);
  }
  const tiff = block.subarray(start);
  const source = bufferSource(tiff);
  const header = await readTiffHeader(source);
  const { ifd } = await readIfd(source, header, header.firstIfd);
  return sourceExif(ifd);
}

/** The EXIF of a TIFF file: its first directory's descriptive tags and sub-directories. */
export async function readTiffFileExif(file: string): Promise<SourceExif> {
  const handle = await fs.open(file, 'r');
  try {
    const source = await fileSource(handle);
    const header = await readTiffHeader(source);
    const { ifd } = await readIfd(source, header, header.firstIfd);
    return sourceExif(ifd);
  } finally {
    await handle.close();
  }
}

export interface ExifOutputFacts {
  width: number;
  height: number;
  /** Pixels per inch of the output, when known. */
  density?: number;
  /** The container the EXIF goes into: each has a few tags of its own that it requires or forbids. */
  container: 'jpeg' | 'png' | 'webp' | 'tiff';
}

/** Assumed by JPEG and EXIF readers when a file does not say. */
const DEFAULT_DENSITY = 72;
const YCBCR_POSITIONING = 0x0213;
const COMPONENTS_CONFIGURATION = 0x9101;

/**
 * The EXIF to write with a restored photo: orientation reset to 1 (the pixels are already
 * upright), pixel dimensions and resolution updated to the output, and the tags the EXIF
 * specification requires for the container present.
 */
export function exifForOutput(source: Ifd, facts: ExifOutputFacts): Ifd {
  const ifd0 = cloneIfd(source);
  setEntry(ifd0, shortEntry(TAG.orientation, 1));
  const [num, den] = toRational(facts.density !== undefined && facts.density > 0 ? facts.density : DEFAULT_DENSITY);
  setEntry(ifd0, rationalEntry(TAG.xResolution, num, den));
  setEntry(ifd0, rationalEntry(TAG.yResolution, num, den));
  setEntry(ifd0, shortEntry(TAG.resolutionUnit, 2));
  if (facts.container === 'jpeg') setEntry(ifd0, shortEntry(YCBCR_POSITIONING, 1));
  const exif = ifd0.children.get(TAG.exifIfd);
  if (exif && facts.container === 'tiff') {
    // TIFF states the size itself and has no YCbCr components: the EXIF copies are not allowed.
    for (const tag of [TAG.pixelXDimension, TAG.pixelYDimension, COMPONENTS_CONFIGURATION]) removeEntry(exif, tag);
  } else if (exif) {
    setEntry(exif, longEntry(TAG.pixelXDimension, facts.width));
    setEntry(exif, longEntry(TAG.pixelYDimension, facts.height));
  }
  return ifd0;
}

/** Without the maker note (opaque, often large, sometimes bound to its old position). */
export function withoutMakerNote(ifd0: Ifd): Ifd {
  const copy = cloneIfd(ifd0);
  const exif = copy.children.get(TAG.exifIfd);
  if (exif) removeEntry(exif, TAG.makerNote);
  return copy;
}

/** A little-endian TIFF-structured EXIF block (no "Exif\0\0" prefix): PNG eXIf, WebP EXIF. */
export function serialiseExif(ifd0: Ifd): Buffer {
  const header = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]);
  return Buffer.concat([header, writeIfd(ifd0, 8)]);
}

function toRational(value: number): [number, number] {
  if (Number.isInteger(value)) return [value, 1];
  return [Math.round(value * 1000), 1000];
}
