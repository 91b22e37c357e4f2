/**
 * Adds EXIF (APP1) and IPTC (APP13) segments to a JPEG that sharp encoded from raw pixels.
 * sharp writes the ICC profile (APP2) and XMP (APP1) itself; it cannot take a raw EXIF or
 * IPTC block, so they are spliced in here, right after the JFIF header where readers look.
 */
import { jpegApp13Payload } from './iptc-block.js';

const EXIF_PREFIX = Buffer.from('Exif\0\0', 'latin1');
/** A segment's length field counts itself: at most 65533 payload bytes. */
export const MAX_JPEG_SEGMENT_PAYLOAD = 65533;

export interface JpegMetadataBlocks {
  /** TIFF-structured EXIF, without the "Exif\0\0" prefix. */
  exif?: Buffer;
  /** Bare IPTC-IIM records. */
  iptc?: Buffer;
}

/** Whether an EXIF block fits in one APP1 segment. */
export function exifFitsJpeg(exif: Buffer): boolean {
  return EXIF_PREFIX.length + exif.length <= MAX_JPEG_SEGMENT_PAYLOAD;
}

export function insertJpegMetadata(jpeg: Buffer, blocks: JpegMetadataBlocks): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('Not a JPEG stream (no SOI marker)');
  const segments: Buffer[] = [];
  if (blocks.exif) segments.push(segment(0xe1, Buffer.concat([EXIF_PREFIX, blocks.exif])));
  if (blocks.iptc) segments.push(segment(0xed, jpegApp13Payload(blocks.iptc)));
  if (segments.length === 0) return jpeg;
  // Walk the APPn/COM segments before the image data: keep them, except an EXIF or IPTC
  // block being replaced (libvips writes a small EXIF of its own when given a density).
  const head: Buffer[] = [];
  let at = 2;
  let insertAt = 0;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff && isMetadataMarker(jpeg[at + 1]!)) {
    const end = at + 2 + jpeg.readUInt16BE(at + 2);
    const bytes = jpeg.subarray(at, end);
    const replaced = (blocks.exif && bytes[1] === 0xe1 && bytes.subarray(4, 10).equals(EXIF_PREFIX)) || (blocks.iptc && bytes[1] === 0xed);
    if (!replaced) head.push(bytes);
    // After SOI and any APP0 (JFIF) segments: JFIF must stay first.
    if (bytes[1] === 0xe0 && head.length === insertAt + 1) insertAt = head.length;
    at = end;
  }
  return Buffer.concat([jpeg.subarray(0, 2), ...head.slice(0, insertAt), ...segments, ...head.slice(insertAt), jpeg.subarray(at)]);
}

/** APP0-APP15 and COM: the segments that carry metadata, all before the image data. */
function isMetadataMarker(marker: number): boolean {
  return (marker >= 0xe0 && marker <= 0xef) || marker === 0xfe;
}

function segment(marker: number, payload: Buffer): Buffer {
  if (payload.length > MAX_JPEG_SEGMENT_PAYLOAD) throw new RangeError(`JPEG segment of ${payload.length} bytes is too large`);
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}
