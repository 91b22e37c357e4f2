/**
 * Decoding and encoding photos with sharp. The engine sees only interleaved 8/16-bit
 * samples (PixelSource) plus what it needs to write the result back the same way.
 */
import sharp, { type Metadata, type OutputInfo, type TiffOptions } from 'sharp';
import { promises as fs } from 'node:fs';
import { HeirloomError } from '../../shared/errors.js';
import type { PixelSource } from '../inference/tiler.js';

export type OutputFormat = 'png' | 'jpeg' | 'webp' | 'tiff';
export type FormatChoice = OutputFormat | 'keep';

export interface DecodeOptions {
  /** Refuse images whose declared size exceeds this many pixels, before decoding them. */
  maxPixels: number;
}

export interface DecodedImage {
  file: string;
  /** The container format sharp recognised (jpeg, png, webp, tiff, gif, heif, ...). */
  format: string;
  width: number;
  height: number;
  colorChannels: 1 | 3;
  hasAlpha: boolean;
  bitDepth: 8 | 16;
  /** Interleaved samples, colour channels first, then alpha when present. */
  pixels: PixelSource;
  /** Pages or frames in the file; only the first is restored. */
  pages: number;
}

export const DEFAULT_MAX_PIXELS = 200_000_000;

function fileError(error: unknown, file: string): HeirloomError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new HeirloomError('NOT_FOUND', `${file} no longer exists. Check that it was not moved or deleted, then try again.`, { file, cause: error });
    case 'EACCES':
    case 'EPERM':
      return new HeirloomError('PERMISSION_DENIED', `${file} cannot be read: permission denied. Give your user read access to it, then try again.`, { file, cause: error });
    case 'ELOOP':
      return new HeirloomError('SYMLINK_LOOP', `${file} is a symbolic link that points back to itself. Remove or fix the link.`, { file, cause: error });
    case 'EISDIR':
      return new HeirloomError('NOT_A_FILE', `${file} is a folder, not a photo.`, { file, cause: error });
    default:
      return new HeirloomError('DECODE_FAILED', `${file} could not be read (${(error as Error).message}).`, { file, cause: error });
  }
}

/** Turns libvips' decode complaints into codes a user can act on. */
function decodeError(error: unknown, file: string): HeirloomError {
  const text = error instanceof Error ? error.message : String(error);
  if (/unsupported image format|Input file contains unsupported/i.test(text)) {
    return new HeirloomError('UNSUPPORTED_FORMAT', `${file} is not a photo format Heirloom can read. Convert it to JPEG, PNG, TIFF or WebP first.`, { file, cause: error });
  }
  if (/pixel limit|exceeds pixel/i.test(text)) {
    return new HeirloomError('TOO_MANY_PIXELS', `${file} is larger than the pixel limit. Raise the limit in settings if you trust this file.`, { file, cause: error });
  }
  if (/premature|truncat|unexpected end|end of (file|data)|short read|Corrupt|invalid|not enough data|read error/i.test(text)) {
    return new HeirloomError('TRUNCATED', `${file} is damaged or incomplete (${text.split('\n')[0]}). Copy it again from the original source.`, { file, cause: error });
  }
  return new HeirloomError('DECODE_FAILED', `${file} could not be decoded (${text.split('\n')[0]}). Try opening and re-saving it in another program.`, { file, cause: error });
}

/** Reads the header only: format, size after orientation, pages. Refuses non-files first. */
export async function probeImage(file: string, options: DecodeOptions): Promise<{ format: string; width: number; height: number; pages: number; bitDepth: 8 | 16; colorChannels: 1 | 3; hasAlpha: boolean }> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    throw fileError(error, file);
  }
  if (!stat.isFile()) throw new HeirloomError('NOT_A_FILE', `${file} is not a regular file (it is a folder or a device). Pick the photo files inside it.`, { file });
  if (stat.size === 0) throw new HeirloomError('EMPTY_FILE', `${file} is empty (0 bytes). Copy it again from the original source.`, { file });
  try {
    await fs.access(file, fs.constants.R_OK);
  } catch (error) {
    throw fileError(error, file);
  }
  let meta: Metadata;
  try {
    meta = await sharp(file, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw decodeError(error, file);
  }
  if (!meta.format || !meta.width || !meta.height) {
    throw new HeirloomError('UNSUPPORTED_FORMAT', `${file} is not a photo format Heirloom can read. Convert it to JPEG, PNG, TIFF or WebP first.`, { file });
  }
  const pageHeight = meta.pageHeight ?? meta.height;
  const oriented = meta.autoOrient ?? { width: meta.width, height: pageHeight };
  const pixels = oriented.width * oriented.height;
  if (pixels > options.maxPixels) {
    throw new HeirloomError(
      'TOO_MANY_PIXELS',
      `${file} declares ${oriented.width}x${oriented.height} (${(pixels / 1e6).toFixed(0)} megapixels), above the limit of ${(options.maxPixels / 1e6).toFixed(0)} MP. Raise the pixel limit in settings only if you trust this file.`,
      { file },
    );
  }
  const sixteen = meta.depth === 'ushort' || meta.depth === 'short' || (meta.bitsPerSample ?? 8) > 8;
  const colour = meta.channels !== undefined && meta.channels - (meta.hasAlpha ? 1 : 0) >= 3 && meta.space !== 'b-w' && meta.space !== 'grey16';
  return {
    format: meta.format,
    width: oriented.width,
    height: oriented.height,
    pages: meta.pages ?? 1,
    bitDepth: sixteen ? 16 : 8,
    colorChannels: colour ? 3 : 1,
    hasAlpha: meta.hasAlpha ?? false,
  };
}

/** Decodes the first page, applies EXIF orientation, converts to sRGB (or grey) samples. */
export async function decodeImage(file: string, options: DecodeOptions): Promise<DecodedImage> {
  const info = await probeImage(file, options);
  const space = info.colorChannels === 3 ? (info.bitDepth === 16 ? 'rgb16' : 'srgb') : info.bitDepth === 16 ? 'grey16' : 'b-w';
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await sharp(file, { limitInputPixels: options.maxPixels, failOn: 'error', page: 0, pages: 1 })
      .rotate()
      .toColourspace(space)
      .raw({ depth: info.bitDepth === 16 ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw decodeError(error, file);
  }
  const stride = raw.info.channels;
  const hasAlpha = stride === info.colorChannels + 1;
  const data = info.bitDepth === 16 ? new Uint16Array(raw.data.buffer, raw.data.byteOffset, raw.data.length / 2) : new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length);
  return {
    file,
    format: info.format,
    width: raw.info.width,
    height: raw.info.height,
    colorChannels: info.colorChannels,
    hasAlpha,
    bitDepth: info.bitDepth,
    pixels: { width: raw.info.width, height: raw.info.height, stride, data, maxValue: info.bitDepth === 16 ? 65535 : 255 },
    pages: info.pages,
  };
}

/** The format an output is written in when the user keeps the input's format. */
export function outputFormatFor(inputFormat: string, choice: FormatChoice): OutputFormat {
  if (choice !== 'keep') return choice;
  switch (inputFormat) {
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'tiff':
      return inputFormat;
    default:
      return 'png';
  }
}

export const EXTENSION: Record<OutputFormat, string> = { png: '.png', jpeg: '.jpg', webp: '.webp', tiff: '.tif' };

export interface EncodeRequest {
  /** Interleaved samples: colour channels then alpha. */
  data: Uint8Array | Uint16Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  bitDepth: 8 | 16;
  format: OutputFormat;
  /** 1..100; per-format default when absent. */
  quality?: number;
}

const DEFAULT_QUALITY: Record<OutputFormat, number> = { jpeg: 92, webp: 90, png: 100, tiff: 100 };

/** Encodes raw samples into `path` (the caller passes a temporary path and renames it). */
export async function encodeImage(request: EncodeRequest, path: string): Promise<void> {
  const quality = request.quality ?? DEFAULT_QUALITY[request.format];
  const keep16 = request.bitDepth === 16 && (request.format === 'png' || request.format === 'tiff');
  let pipeline = sharp(request.data, { raw: { width: request.width, height: request.height, channels: request.channels }, limitInputPixels: false });
  if (keep16) pipeline = pipeline.toColourspace(request.channels <= 2 ? 'grey16' : 'rgb16');
  else if (request.bitDepth === 16) pipeline = pipeline.toColourspace(request.channels <= 2 ? 'b-w' : 'srgb');
  switch (request.format) {
    case 'jpeg':
      pipeline = pipeline.jpeg({ quality, mozjpeg: false, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0' });
      break;
    case 'webp':
      pipeline = pipeline.webp({ quality });
      break;
    case 'png':
      pipeline = pipeline.png({ compressionLevel: 6 });
      break;
    case 'tiff':
      pipeline = pipeline.tiff({ compression: 'lzw', bitdepth: keep16 ? undefined : 8 } as TiffOptions);
      break;
  }
  try {
    await pipeline.toFile(path);
  } catch (error) {
    throw new HeirloomError('ENCODE_FAILED', `Could not write ${path}: ${(error as Error).message}. Check free disk space and permissions of the output folder.`, { file: path, cause: error });
  }
}
