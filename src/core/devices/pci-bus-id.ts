/**
 * PCI bus ids in one canonical form, "0000:3b:00.0" (domain padded to 4 hex digits, lower case), so the
 * ids written by lspci ("3b:00.0"), nvidia-smi ("00000000:3B:00.0") and sysfs agree.
 */
export function normalizePciBusId(text: string | undefined | null): string | undefined {
  if (!text) return undefined;
  const match = /^(?:([0-9a-f]{1,8}):)?([0-9a-f]{1,2}):([0-9a-f]{1,2})\.([0-7])$/i.exec(text.trim());
  if (!match) return undefined;
  // Domains are 16-bit almost everywhere; Intel VMD uses 5-digit ones (10000:e0:06.0), so no cap.
  const domain = Number.parseInt(match[1] ?? '0', 16);
  const hex = (value: string, width: number) => Number.parseInt(value, 16).toString(16).padStart(width, '0');
  return `${domain.toString(16).padStart(4, '0')}:${hex(match[2]!, 2)}:${hex(match[3]!, 2)}.${match[4]}`;
}
