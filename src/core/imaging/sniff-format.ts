/**
 * Names what a file that no decoder accepted actually is, from its first bytes, so the
 * error can say "this is a Photoshop file" or "this is text" instead of just "unsupported".
 */

export type SniffResult = { kind: 'text' } | { kind: 'known'; name: string } | { kind: 'unknown' };

const SIGNATURES: Array<{ name: string; test: (head: Buffer) => boolean }> = [
  { name: 'BMP', test: (h) => h.toString('latin1', 0, 2) === 'BM' && h.length >= 26 },
  { name: 'Photoshop (PSD)', test: (h) => h.toString('latin1', 0, 4) === '8BPS' },
  { name: 'JPEG 2000', test: (h) => h.subarray(0, 12).equals(Buffer.from([0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a])) || h.subarray(0, 4).equals(Buffer.from([0xff, 0x4f, 0xff, 0x51])) },
  { name: 'JPEG XL', test: (h) => (h[0] === 0xff && h[1] === 0x0a) || h.toString('latin1', 4, 8) === 'JXL ' },
  { name: 'HEIC (HEVC)', test: (h) => h.toString('latin1', 4, 8) === 'ftyp' && /^(heic|heix|hevc|hevx|heim|heis)$/.test(h.toString('latin1', 8, 12)) },
  { name: 'PDF', test: (h) => h.toString('latin1', 0, 5) === '%PDF-' },
  { name: 'camera raw (Fujifilm RAF)', test: (h) => h.toString('latin1', 0, 15) === 'FUJIFILMCCD-RAW' },
  { name: 'camera raw (Canon CR2)', test: (h) => h.toString('latin1', 0, 2) === 'II' && h.toString('latin1', 8, 10) === 'CR' },
  { name: 'ZIP archive', test: (h) => h.toString('latin1', 0, 4) === 'PK\u0003\u0004' },
];

export function sniffFormat(head: Buffer): SniffResult {
  for (const signature of SIGNATURES) if (signature.test(head)) return { kind: 'known', name: signature.name };
  return looksLikeText(head) ? { kind: 'text' } : { kind: 'unknown' };
}

/** Printable UTF-8 with ordinary whitespace and no NUL bytes. */
function looksLikeText(head: Buffer): boolean {
  if (head.length === 0 || head.includes(0)) return false;
  const text = head.toString('utf8');
  const printable = text.replace(/[\p{L}\p{N}\p{P}\p{S}\p{Zs}\t\r\n]/gu, '');
  // A cut-off multi-byte character at the end of the sample is not binary data.
  return printable.replace(/\uFFFD$/, '').length === 0;
}
