/**
 * What a photo carries besides its pixels, read once at decode time so it can be written
 * into the restored output: EXIF (date taken, camera, GPS, description), XMP, IPTC, the
 * ICC profile, print resolution and PNG text. A block that cannot be read is left out with
 * a note; metadata never makes a photo fail.
 */
import type { Metadata } from 'sharp';
import { parseExifBlock, readTiffFileExif } from './exif-block.js';
import { iptcRecords, parsePngRawProfile } from './iptc-block.js';
import type { PngTextEntry } from './png-metadata.js';
import { readPngTextChunks } from './png-text-chunks.js';
import type { Ifd } from './tiff-ifd.js';

/** The colour space an ICC profile describes (bytes 16-19 of its header). */
export type ProfileSpace = 'rgb' | 'grey' | 'cmyk' | 'other';

export interface PhotoMetadata {
  /** IFD0's descriptive tags with the EXIF and GPS sub-directories. */
  exif?: Ifd;
  /** The XMP packet as text. */
  xmp?: string;
  /** Bare IPTC-IIM records. */
  iptc?: Buffer;
  icc?: { profile: Buffer; space: ProfileSpace };
  /** Pixels per inch, when the source says. */
  density?: number;
  /** Upright source width, to scale the density with the output so the print size stays. */
  width: number;
  /** PNG text chunks other than XMP and raw profiles (Title, Author, Comment, ...). */
  pngText?: PngTextEntry[];
}

const XMP_KEYWORD = 'XML:com.adobe.xmp';
const RAW_PROFILE = /^Raw profile type /i;

export async function readPhotoMetadata(file: string, meta: Metadata, uprightWidth: number): Promise<{ metadata: PhotoMetadata; notes: string[] }> {
  const notes: string[] = [];
  const metadata: PhotoMetadata = { width: uprightWidth };
  if (meta.density) metadata.density = meta.density;

  try {
    const exif = meta.format === 'tiff' ? await readTiffFileExif(file) : meta.exif ? await parseExifBlock(meta.exif) : {};
    if (exif.ifd0) metadata.exif = exif.ifd0;
    // WebP and HEIF state their resolution only in EXIF.
    if (!metadata.density && exif.density) metadata.density = exif.density;
  } catch {
    notes.push('EXIF could not be read and was not copied');
  }

  if (meta.xmp && meta.xmp.length > 0) {
    const xmp = meta.xmpAsString ?? meta.xmp.toString('utf8');
    if (xmp.includes('<')) metadata.xmp = xmp;
    else notes.push('XMP could not be read and was not copied');
  }

  const pngText = meta.format === 'png' ? await readPngTextChunks(file).catch(() => []) : [];
  const rawIptc = meta.iptc ?? pngIptcProfile(pngText);
  if (rawIptc) {
    const records = iptcRecords(rawIptc);
    if (records) metadata.iptc = records;
    else notes.push('IPTC could not be read and was not copied');
  }

  if (meta.icc && meta.icc.length >= 132) metadata.icc = { profile: meta.icc, space: profileSpace(meta.icc) };

  const text = pngText.filter((c) => c.keyword !== XMP_KEYWORD && !RAW_PROFILE.test(c.keyword));
  if (text.length > 0) metadata.pngText = text;
  return { metadata, notes };
}

/** PNG stores IPTC as a hex "Raw profile type iptc" text chunk. */
function pngIptcProfile(text: PngTextEntry[]): Buffer | undefined {
  const chunk = text.find((c) => /^Raw profile type (iptc|8bim)$/i.test(c.keyword));
  return chunk ? parsePngRawProfile(chunk.text) : undefined;
}

export function profileSpace(icc: Buffer): ProfileSpace {
  switch (icc.toString('latin1', 16, 20)) {
    case 'RGB ':
      return 'rgb';
    case 'GRAY':
      return 'grey';
    case 'CMYK':
      return 'cmyk';
    default:
      return 'other';
  }
}

/**
 * XMP can repeat the orientation (tiff:Orientation); the pixels are upright now, so it is
 * reset like the EXIF tag, or viewers that prefer XMP would rotate the photo again.
 */
export function resetXmpOrientation(xmp: string): string {
  const upright = (_match: string, open: string, close: string) => `${open}1${close}`;
  return xmp.replace(/(tiff:Orientation\s*=\s*["'])\d(["'])/g, upright).replace(/(<tiff:Orientation>)\s*\d\s*(<\/tiff:Orientation>)/g, upright);
}
