/** GPU vendors Heirloom can run models on; other display controllers (server BMCs, VM adapters) are not compute devices. */
export type GpuVendor = 'NVIDIA' | 'AMD' | 'Intel' | 'Apple';

// PCI vendor ids; on macOS systeminformation reports Apple's USB vendor id (05ac) instead.
const BY_PCI_VENDOR_ID: Record<string, GpuVendor> = { '10de': 'NVIDIA', '1002': 'AMD', '1022': 'AMD', '8086': 'Intel', '106b': 'Apple', '05ac': 'Apple' };

/**
 * Maps what systeminformation reports ("NVIDIA Corporation", "Advanced Micro Devices, Inc.
 * [AMD/ATI]", "Intel Corporation", "Apple", a PCI vendor id, or only a model name on some
 * Windows systems) to a vendor, or undefined for controllers that cannot run a model.
 */
export function gpuVendorOf(vendor: string | undefined, vendorId?: string, model?: string): GpuVendor | undefined {
  const id = vendorId?.toLowerCase().replace(/^0x/, '');
  if (id && BY_PCI_VENDOR_ID[id]) return BY_PCI_VENDOR_ID[id];
  const text = `${vendor ?? ''} ${model ?? ''}`.toLowerCase();
  if (/\bnvidia\b|geforce|quadro|tesla/.test(text)) return 'NVIDIA';
  if (/advanced micro devices|\bamd\b|\bati\b|radeon/.test(text)) return 'AMD';
  if (/\bintel\b/.test(text)) return 'Intel';
  if (/\bapple\b/.test(text)) return 'Apple';
  return undefined;
}

/**
 * A readable device name: lspci puts the marketing name in brackets after the chip
 * ("GA102 [GeForce RTX 3090]"), and the vendor is prefixed once.
 */
export function gpuDisplayName(vendor: GpuVendor, model: string): string {
  const bracket = /\[([^\]]+)\]\s*$/.exec(model.trim());
  let name = (bracket ? bracket[1]! : model).trim();
  if (name === '') name = 'GPU';
  return name.toLowerCase().startsWith(vendor.toLowerCase()) ? name : `${vendor} ${name}`;
}

/** Integrated GPUs share system memory; Apple silicon's unified memory counts as integrated. */
export function isIntegratedGpu(vendor: GpuVendor, model: string, hints: { vramDynamic?: boolean | undefined; bus?: string | undefined; external?: boolean | undefined }): boolean {
  if (hints.external) return false;
  const text = model.toLowerCase();
  switch (vendor) {
    case 'Apple':
      return true;
    case 'NVIDIA':
      return /tegra|orin|xavier|jetson/.test(text);
    case 'Intel':
      // Arc A-/B-series cards and DG1/DG2 are discrete; "Arc Graphics" and "Arc 140V" are laptop iGPUs.
      return !/\bdg[12]\b|arc(?:\s+pro)?\s+[ab]\d{2,3}\b|battlemage/.test(text);
    case 'AMD':
      if (hints.vramDynamic || hints.bus === 'Built-In') return true;
      return /renoir|cezanne|lucienne|barcelo|picasso|raven|rembrandt|van gogh|mendocino|raphael|phoenix|hawk point|strix|krackan|radeon graphics|radeon \d{3}m\b|vega \d+ graphics|radeon vega mobile/.test(text);
  }
}
