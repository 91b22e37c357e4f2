/**
 * Decoding and encoding photos with sharp. The engine sees only interleaved 8/16-bit
 * samples (PixelSource) plus what it needs to write the result back the same way: the
 * format, the bit depth and the photo's metadata (EXIF, XMP, IPTC, ICC profile).
 * Originals are only ever opened for reading.
 */
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { HeirloomError } from '../../shared/errors.js';
import type { PixelSource } from './pixel-source.js';
import { exifFitsJpeg, insertJpegMetadata } from './jpeg-metadata.js';
import { exifForOutput, serialiseExif, withoutMakerNote } from './exif-block.js';
import { readPhotoMetadata, resetXmpOrientation, type PhotoMetadata } from './photo-metadata.js';
import { insertPngMetadata } from './png-metadata.js';
import { sniffFormat } from './sniff-format.js';
import { appendTiffMetadata } from './tiff-metadata.js';
import { withDeadline } from './with-deadline.js';
import { insertWebpExif } from './webp-metadata.js';
import type { Ifd } from './tiff-ifd.js';

export type OutputFormat = 'png' | 'jpeg' | 'webp' | 'tiff';
export type FormatChoice = OutputFormat | 'keep';
export type { PhotoMetadata } from './photo-metadata.js';

export interface DecodeOptions {
  /** Refuse images whose declared size exceeds this many pixels, before decoding them. */
  maxPixels: number;
  /** How long reading the header may take before the file is given up on (default 30 s). */
  headerTimeoutMs?: number;
}

const HEADER_TIMEOUT_MS = 30_000;
/** Decoding may take a minute, plus two seconds per megapixel (a 200 MP scan on a slow share). */
const decodeTimeoutMs = (pixels: number) => 60_000 + (pixels / 1e6) * 2_000;

function stalled(file: string, ms: number): HeirloomError {
  return new HeirloomError('DECODE_FAILED', `${file} could not be read: the decoder did not finish within ${Math.round(ms / 1000)} s, so the file is probably damaged. Open and re-save it in another program, or copy it again.`, { file });
}

export interface ProbedImage {
  /** The container format sharp recognised (jpeg, png, webp, tiff, gif, heif, ...). */
  format: string;
  /** Size after EXIF orientation, of the first page. */
  width: number;
  height: number;
  pages: number;
  bitDepth: 8 | 16;
  colorChannels: 1 | 3;
  hasAlpha: boolean;
  /** libvips' name of the source colour space (srgb, cmyk, b-w, lab, ...). */
  space: string;
}

export interface DecodedImage {
  file: string;
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
  /** What the photo carries besides pixels, to write back into the output. */
  metadata: PhotoMetadata;
  /** Things the user should know about this decode (first page of several, CMYK converted). */
  notes: string[];
}

export const DEFAULT_MAX_PIXELS = 200_000_000;

/** What the user can do when a file is not a photo Heirloom reads. */
const CONVERT_HINT = 'Convert it to JPEG, PNG, TIFF or WebP first (for example by exporting it from the program that made it).';

function fileError(error: unknown, file: string): HeirloomError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new HeirloomError('NOT_FOUND', `${file} no longer exists. Check that it was not moved or deleted, then try again.`, { file, cause: error });
    case 'EACCES':
    case 'EPERM':
      return new HeirloomError('PERMISSION_DENIED', `${file} cannot be read: permission denied. Give your user read access to it, then try again.`, { file, cause: error });
    case 'ELOOP':
      return new HeirloomError('SYMLINK_LOOP', `${file} is a symbolic link that points back to itself. Remove or fix the link.`, { file, cause: error });
    case 'EISDIR':
      return new HeirloomError('NOT_A_FILE', `${file} is a folder, not a photo. Pick the photo files inside it.`, { file, cause: error });
    default:
      return new HeirloomError('DECODE_FAILED', `${file} could not be read (${(error as Error).message}). Check the disk or network share it is on, then try again.`, { file, cause: error });
  }
}

/**
 * libvips keeps its error text per process: another image operation finishing on another
 * thread at the same moment can clear it, and sharp's pixel decode then reports only "Unknown error" (seen
 * for a truncated PNG read while the damage detector's photo was encoded: 2 runs in 20). The
 * failure itself is real; reading once more tells why, so the photo gets the right code.
 */
async function againIfMessageLost<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof Error) || error instanceof HeirloomError || error.message.trim() !== 'Unknown error') throw error;
    return read();
  }
}

/** Turns libvips' decode complaints into codes a user can act on. */
async function decodeError(error: unknown, file: string): Promise<HeirloomError> {
  const text = error instanceof Error ? error.message : String(error);
  const first = text.split('\n')[0];
  if (/Input file is missing|No such file/i.test(text)) return fileError(Object.assign(new Error(first), { code: 'ENOENT' }), file);
  if (/Permission denied|not readable/i.test(text)) return fileError(Object.assign(new Error(first), { code: 'EACCES' }), file);
  if (/unsupported image format|Input file contains unsupported|No decoding plugin|Unsupported codec|Unsupported feature/i.test(text)) return unsupportedFormat(file, error);
  if (/pixel limit|exceeds pixel/i.test(text)) {
    return new HeirloomError('TOO_MANY_PIXELS', `${file} is larger than the pixel limit. Raise the limit (--max-pixels or the setting) only if you trust this file.`, { file, cause: error });
  }
  if (/premature|truncat|unexpected end|end of (file|data)|short read|corrupt|invalid|not enough data|read error|bad (huffman|header)|incorrect|damaged/i.test(text)) {
    return new HeirloomError('TRUNCATED', `${file} is damaged or incomplete (${first}). Copy it again from the original source (card, scanner or backup).`, { file, cause: error });
  }
  return new HeirloomError('DECODE_FAILED', `${file} could not be decoded (${first}). Try opening and re-saving it in another program.`, { file, cause: error });
}

/** Says what the file is when no decoder took it: text, a known unsupported format, or unknown. */
async function unsupportedFormat(file: string, cause?: unknown): Promise<HeirloomError> {
  let head = Buffer.alloc(0);
  try {
    const handle = await fs.open(file, 'r');
    try {
      head = Buffer.alloc(512);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    // The file went away meanwhile: the generic message below still holds.
  }
  const sniffed = sniffFormat(head);
  const named = extname(file).slice(1).toUpperCase() || 'image';
  const options = { file, ...(cause === undefined ? {} : { cause }) };
  if (sniffed.kind === 'text') {
    return new HeirloomError('UNSUPPORTED_FORMAT', `${file} is not a photo: it contains text, not ${named} image data. Check that the right file was saved or copied; the photo itself may be elsewhere.`, options);
  }
  if (sniffed.kind === 'known') {
    return new HeirloomError('UNSUPPORTED_FORMAT', `${file} is a ${sniffed.name} file, which Heirloom cannot read. ${CONVERT_HINT}`, options);
  }
  return new HeirloomError('UNSUPPORTED_FORMAT', `${file} is not in a photo format Heirloom can read. ${CONVERT_HINT}`, options);
}

/** The header, after refusing what is not a readable regular file. Never decodes pixels. */
async function readHeader(file: string, options: DecodeOptions): Promise<{ info: ProbedImage; meta: Metadata }> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    throw fileError(error, file);
  }
  if (stat.isDirectory()) throw new HeirloomError('NOT_A_FILE', `${file} is a folder, not a photo (its name only looks like one). Pick the photo files inside it.`, { file });
  if (!stat.isFile()) throw new HeirloomError('NOT_A_FILE', `${file} is not a regular file (it is a device, socket or pipe). Pick a photo file.`, { file });
  if (stat.size === 0) throw new HeirloomError('EMPTY_FILE', `${file} is empty (0 bytes). Copy it again from the original source.`, { file });
  try {
    await fs.access(file, fs.constants.R_OK);
  } catch (error) {
    throw fileError(error, file);
  }
  let meta: Metadata;
  const headerMs = options.headerTimeoutMs ?? HEADER_TIMEOUT_MS;
  try {
    const readMeta = () => withDeadline(sharp(file, { limitInputPixels: false }).metadata(), headerMs, () => stalled(file, headerMs));
    meta = await readMeta();
    // When libvips' error text is lost (see againIfMessageLost) the header read does not fail but resolves without a format: once more before calling the file unsupported.
    if (!meta.format) meta = await readMeta();
  } catch (error) {
    throw error instanceof HeirloomError ? error : await decodeError(error, file);
  }
  if (!meta.format || !meta.width || !meta.height) throw await unsupportedFormat(file);
  const pageHeight = meta.pageHeight ?? meta.height;
  const swapped = (meta.orientation ?? 1) >= 5;
  const width = swapped ? pageHeight : meta.width;
  const height = swapped ? meta.width : pageHeight;
  const pixels = width * height;
  if (pixels > options.maxPixels) {
    throw new HeirloomError(
      'TOO_MANY_PIXELS',
      `${file} declares ${width}x${height} pixels (${(pixels / 1e6).toFixed(0)} megapixels), above the limit of ${(options.maxPixels / 1e6).toFixed(0)} MP, so it was not decoded. Raise the limit (--max-pixels or the setting) only if you trust this file.`,
      { file },
    );
  }
  const sixteen = meta.depth === 'ushort' || meta.depth === 'short' || (meta.bitsPerSample ?? 8) > 8;
  const colour = meta.channels - (meta.hasAlpha ? 1 : 0) >= 3 && meta.space !== 'b-w' && meta.space !== 'grey16';
  return {
    meta,
    info: {
      format: meta.format,
      width,
      height,
      pages: meta.pages ?? 1,
      bitDepth: sixteen ? 16 : 8,
      colorChannels: colour ? 3 : 1,
      hasAlpha: meta.hasAlpha ?? false,
      space: meta.space,
    },
  };
}

/** Reads the header only: format, size after orientation, pages. Refuses non-files first. */
export async function probeImage(file: string, options: DecodeOptions): Promise<ProbedImage> {
  return (await readHeader(file, options)).info;
}

/**
 * Decodes the first page, applies EXIF orientation, converts to sRGB (honouring the
 * embedded ICC profile; CMYK and Lab included) or grey samples, and reads the metadata.
 */
export async function decodeImage(file: string, options: DecodeOptions): Promise<DecodedImage> {
  const { info, meta } = await readHeader(file, options);
  const space = info.colorChannels === 3 ? (info.bitDepth === 16 ? 'rgb16' : 'srgb') : info.bitDepth === 16 ? 'grey16' : 'b-w';
  let raw: { data: Buffer; info: OutputInfo };
  const decodeMs = decodeTimeoutMs(info.width * info.height);
  try {
    raw = await againIfMessageLost(() => {
      const decoding = sharp(file, { limitInputPixels: options.maxPixels, failOn: 'error', page: 0, pages: 1 })
        .rotate()
        .toColourspace(space)
        .raw({ depth: info.bitDepth === 16 ? 'ushort' : 'uchar' })
        .toBuffer({ resolveWithObject: true });
      return withDeadline(decoding, decodeMs, () => stalled(file, decodeMs));
    });
  } catch (error) {
    throw error instanceof HeirloomError ? error : await decodeError(error, file);
  }
  const stride = raw.info.channels;
  const hasAlpha = stride === info.colorChannels + 1;
  const data = info.bitDepth === 16 ? new Uint16Array(raw.data.buffer, raw.data.byteOffset, raw.data.length / 2) : new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length);
  const { metadata, notes } = await readPhotoMetadata(file, meta, raw.info.width);
  if (info.pages > 1) {
    const unit = info.format === 'gif' || info.format === 'webp' ? 'frame' : 'page';
    notes.unshift(`first ${unit} of ${info.pages} restored`);
  }
  if (info.space === 'cmyk') notes.push('CMYK colours converted to sRGB');
  else if (info.space === 'lab' || info.space === 'labs') notes.push('Lab colours converted to sRGB');
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
    metadata,
    notes,
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
      // GIF (256 colours), HEIF/AVIF and the rest: PNG keeps every restored pixel.
      return 'png';
  }
}

export const EXTENSION: Record<OutputFormat, string> = { png: '.png', jpeg: '.jpg', webp: '.webp', tiff: '.tif' };

const FORMAT_NAME: Record<OutputFormat, string> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP', tiff: 'TIFF' };
/** Largest side each encoder accepts. */
const MAX_SIDE: Record<OutputFormat, number> = { jpeg: 65_535, webp: 16_383, png: 2 ** 31 - 1, tiff: 2 ** 32 - 1 };
const DEFAULT_QUALITY: Record<OutputFormat, number> = { jpeg: 92, webp: 90, png: 100, tiff: 100 };
/** JPEG APP1 room for XMP after its namespace header. */
const MAX_JPEG_XMP_BYTES = 65_502;

export interface EncodeRequest {
  /** Interleaved samples: colour channels then alpha. */
  data: Uint8Array | Uint16Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  bitDepth: 8 | 16;
  format: OutputFormat;
  /** 1..100 for JPEG and WebP; per-format default when absent. PNG and TIFF are lossless. */
  quality?: number;
  /** The source's metadata to carry over; absent strips everything (--strip-metadata). */
  metadata?: PhotoMetadata;
}

export interface EncodeResult {
  /** What could not be kept, for the file-done event. */
  notes: string[];
}

/** Metadata blocks prepared for one output. */
interface OutputBlocks {
  exif?: Ifd;
  iptc?: Buffer;
}

/**
 * Encodes raw samples into `path` (the caller passes a temporary path and renames it),
 * with the source's metadata: ICC profile (colours converted back into it), XMP and
 * resolution through sharp; EXIF and IPTC spliced into the container afterwards.
 */
export async function encodeImage(request: EncodeRequest, path: string): Promise<EncodeResult> {
  const { format } = request;
  const notes: string[] = [];
  if (request.width > MAX_SIDE[format] || request.height > MAX_SIDE[format]) {
    throw new HeirloomError(
      'ENCODE_FAILED',
      `The restored photo (${request.width}x${request.height}) is too large for ${FORMAT_NAME[format]}, which allows at most ${MAX_SIDE[format]} pixels per side. Choose --format png or tiff, or a smaller --scale.`,
      { file: path },
    );
  }
  const keep16 = request.bitDepth === 16 && (format === 'png' || format === 'tiff');
  if (request.bitDepth === 16 && !keep16) notes.push(`saved as 8-bit: ${FORMAT_NAME[format]} cannot store 16-bit samples`);
  // Reduced here rather than by libvips: its ICC transform misreads 16-bit input bound for an 8-bit file.
  const data = request.bitDepth === 16 && !keep16 ? to8Bit(request.data) : request.data;
  const colour = request.channels >= 3;
  let pipeline = sharp(data, { raw: { width: request.width, height: request.height, channels: request.channels }, limitInputPixels: false });
  pipeline = pipeline.toColourspace(keep16 ? (colour ? 'rgb16' : 'grey16') : colour ? 'srgb' : 'b-w');

  const meta = request.metadata;
  const scratch = meta?.icc ? await fs.mkdtemp(join(tmpdir(), 'heirloom-icc-')) : undefined;
  try {
    let wantsProfile = false;
    let blocks: OutputBlocks = {};
    if (meta) {
      const density = meta.density ? (meta.density * request.width) / meta.width : undefined;
      if (meta.icc && scratch) {
        // WebP is always RGB: a grey profile cannot describe it, and the samples are sRGB already.
        const profile = await outputProfile(meta.icc, colour || format === 'webp', colour, scratch);
        if (profile) {
          pipeline = pipeline.withIccProfile(profile);
          wantsProfile = true;
        }
      }
      if (meta.xmp) {
        if (format === 'jpeg' && Buffer.byteLength(meta.xmp) > MAX_JPEG_XMP_BYTES) notes.push('XMP not copied: too large for one JPEG segment');
        else pipeline = pipeline.withXmp(resetXmpOrientation(meta.xmp));
      }
      if (density) pipeline = pipeline.withDensity(density);
      blocks = prepareBlocks(meta, format, { width: request.width, height: request.height, ...(density ? { density } : {}) }, notes);
    }
    pipeline = withFormat(pipeline, format, request.quality ?? DEFAULT_QUALITY[format], request.width * request.height);
    try {
      if (format === 'tiff') {
        await pipeline.toFile(path);
        await spliceOrNote(() => appendTiffMetadata(path, blocks), notes);
      } else {
        const encoded: Buffer = await pipeline.toBuffer();
        const bytes = await spliceOrNote(() => splice(encoded, format, blocks, meta, request), notes, encoded);
        await fs.writeFile(path, bytes, { flag: 'wx' });
      }
    } catch (error) {
      throw new HeirloomError('ENCODE_FAILED', `Could not write ${path}: ${(error as Error).message}. Check free disk space and the permissions of the output folder.`, { file: path, cause: error });
    }
    if (wantsProfile && !(await sharp(path).metadata()).hasProfile) notes.push('the colour profile could not be applied; saved as sRGB');
    return { notes };
  } finally {
    if (scratch) await fs.rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The profile to convert the restored sRGB pixels into and embed: the source's own when it
 * fits the output (RGB for colour, grey for grey), else sRGB for a colour-managed source
 * (CMYK, Lab), so the file still says what its colours mean.
 */
async function outputProfile(icc: NonNullable<PhotoMetadata['icc']>, rgbFile: boolean, colour: boolean, scratch: string): Promise<string | undefined> {
  if ((icc.space === 'rgb' && rgbFile) || (icc.space === 'grey' && !rgbFile)) {
    const path = join(scratch, 'source.icc');
    await fs.writeFile(path, icc.profile);
    return path;
  }
  return colour ? 'srgb' : undefined;
}

function prepareBlocks(meta: PhotoMetadata, format: OutputFormat, facts: { width: number; height: number; density?: number }, notes: string[]): OutputBlocks {
  const blocks: OutputBlocks = {};
  if (meta.exif) blocks.exif = exifForOutput(meta.exif, { ...facts, container: format });
  if (meta.iptc) {
    if (format === 'webp') notes.push('IPTC not copied: WebP has no place for it (XMP is kept)');
    else blocks.iptc = meta.iptc;
  }
  return blocks;
}

async function splice(bytes: Buffer, format: Exclude<OutputFormat, 'tiff'>, blocks: OutputBlocks, meta: PhotoMetadata | undefined, request: EncodeRequest): Promise<Buffer> {
  switch (format) {
    case 'jpeg': {
      let exif = blocks.exif ? serialiseExif(blocks.exif) : undefined;
      if (exif && !exifFitsJpeg(exif) && blocks.exif) exif = serialiseExif(withoutMakerNote(blocks.exif));
      if (exif && !exifFitsJpeg(exif)) throw new Error('EXIF too large for one JPEG segment');
      return insertJpegMetadata(bytes, { ...(exif ? { exif } : {}), ...(blocks.iptc ? { iptc: blocks.iptc } : {}) });
    }
    case 'png':
      return insertPngMetadata(bytes, {
        ...(blocks.exif ? { exif: serialiseExif(blocks.exif) } : {}),
        ...(blocks.iptc ? { iptc: blocks.iptc } : {}),
        ...(meta?.pngText ? { text: meta.pngText } : {}),
      });
    case 'webp':
      return blocks.exif ? insertWebpExif(bytes, serialiseExif(blocks.exif), { width: request.width, height: request.height, hasAlpha: request.channels === 2 || request.channels === 4 }) : bytes;
  }
}

/** Metadata never fails a photo: a block that cannot be written is left out with a note. */
async function spliceOrNote<T>(write: () => Promise<T> | T, notes: string[], fallback?: T): Promise<T> {
  try {
    return await write();
  } catch (error) {
    notes.push(`EXIF/IPTC not copied (${(error as Error).message})`);
    return fallback as T;
  }
}

/**
 * Above this many pixels JPEG skips Huffman optimisation: it makes libjpeg hold every DCT
 * coefficient of the image (about 6 bytes a pixel: 560 MB for a 12000x8000 restore) for a
 * file a few percent smaller; without it the encoder streams (+10 MB measured).
 */
const JPEG_OPTIMISE_MAX_PIXELS = 16_000_000;

function withFormat(pipeline: Sharp, format: OutputFormat, quality: number, pixels: number): Sharp {
  switch (format) {
    case 'jpeg':
      return pipeline.jpeg({ quality, mozjpeg: false, optimiseCoding: pixels <= JPEG_OPTIMISE_MAX_PIXELS, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0' });
    case 'webp':
      return pipeline.webp({ quality });
    case 'png':
      // zlib level 3: measured on a 1804x1200 restore, 130 ms for 4.21 MB against level 6's 282 ms for 4.19 MB.
      return pipeline.png({ compressionLevel: 3 });
    case 'tiff':
      // LZW with the horizontal predictor: lossless, and it compresses 16-bit scans well.
      return pipeline.tiff({ compression: 'lzw', predictor: 'horizontal' });
  }
}

function to8Bit(samples: Uint8Array | Uint16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = Math.round(samples[i]! / 257);
  return out;
}
