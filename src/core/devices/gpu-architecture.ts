import type { GpuVendor } from './gpu-vendor.js';

/** Architecture families the presets know. */
export type ArchitectureFamily =
  | 'Kepler' | 'Maxwell' | 'Pascal' | 'Volta' | 'Turing' | 'Ampere' | 'Ada' | 'Hopper' | 'Blackwell'
  | 'GCN4' | 'GCN5' | 'RDNA1' | 'RDNA2' | 'RDNA3' | 'RDNA3.5' | 'RDNA4' | 'CDNA'
  | 'Intel Gen9' | 'Intel Gen11' | 'Intel Xe' | 'Intel Xe-LPG' | 'Intel Xe-HPG' | 'Intel Xe2'
  | 'Apple M-series';

/** CUDA compute capability to architecture: exact, unlike names, which vary by vendor and driver. */
export function nvidiaArchitectureFromComputeCapability(cc: string): ArchitectureFamily | undefined {
  const [major, minor] = cc.split('.').map(Number) as [number, number];
  if (major === 3) return 'Kepler';
  if (major === 5) return 'Maxwell';
  if (major === 6) return 'Pascal';
  if (major === 7) return minor >= 5 ? 'Turing' : 'Volta';
  if (major === 8) return minor === 9 ? 'Ada' : 'Ampere';
  if (major === 9) return 'Hopper';
  if (major >= 10) return 'Blackwell';
  return undefined;
}

type Rule = [RegExp, ArchitectureFamily];

// Order matters: the first match wins, so the more specific patterns come first.
const NVIDIA_RULES: Rule[] = [
  [/\bgb\d{3}\b|rtx\s*50\d0|\bb[12]00\b|blackwell/, 'Blackwell'],
  [/\bgh\d{3}\b|\bh[128]00\b|\bgh200\b/, 'Hopper'],
  [/\bad\d{3}\b|rtx\s*40\d0|\bl4\b|\bl40s?\b|\bl20\b|ada generation|rtx \d{4} ada/, 'Ada'],
  [/\bga\d{3}\b|rtx\s*30\d0|\ba(?:100|800|10g?|16|30|40|2)\b|rtx a\d{4}/, 'Ampere'],
  [/\btu\d{3}\b|rtx\s*20\d0|gtx\s*16\d0|\bt4\b|quadro rtx|titan rtx|\bt\d{3,4}\b/, 'Turing'],
  [/\bgv\d{3}\b|v100|titan v\b/, 'Volta'],
  [/\bgp\d{3}\b|gtx\s*10\d0|\bp(?:100|40|4)\b|titan xp?\b|quadro p\d+/, 'Pascal'],
  [/\bgm\d{3}\b|gtx\s*9\d0|gtx\s*750|\bm(?:60|40)\b|quadro m\d+/, 'Maxwell'],
  [/\bgk\d{3}\b|\bk80\b|gtx\s*7[6-8]0/, 'Kepler'],
];

const AMD_RULES: Rule[] = [
  [/instinct|\bmi\d{2,3}\b|aldebaran|arcturus/, 'CDNA'],
  [/navi 4\d|rx 9\d{3}/, 'RDNA4'],
  [/strix|krackan|radeon 8\d0m/, 'RDNA3.5'],
  [/navi 3\d|phoenix|hawk point|rx 7\d{3}|radeon 7\d0m|pro w7\d{3}/, 'RDNA3'],
  [/navi 2\d|rembrandt|van gogh|mendocino|raphael|rx 6\d{3}|radeon 6\d0m|pro w6\d{3}/, 'RDNA2'],
  [/navi 1\d|rx 5\d{3}|pro 5\d{3}m|pro w5\d{3}/, 'RDNA1'],
  [/vega|renoir|cezanne|lucienne|barcelo|picasso|raven/, 'GCN5'],
  [/polaris|ellesmere|baffin|lexa|rx [45]\d0\b/, 'GCN4'],
];

const INTEL_RULES: Rule[] = [
  [/battlemage|lunar lake|arc(?:\s+pro)?\s+b\d{2,3}|arc 1[34]0v/, 'Intel Xe2'],
  [/\bdg2\b|alchemist|arc(?:\s+pro)?\s+a\d{2,3}/, 'Intel Xe-HPG'],
  [/meteor lake|arrow lake|arc graphics/, 'Intel Xe-LPG'],
  [/iris xe|\bdg1\b|tiger ?lake|alder ?lake|raptor ?lake|rocket ?lake|uhd graphics 7\d0/, 'Intel Xe'],
  [/ice ?lake|iris plus/, 'Intel Gen11'],
  [/coffee ?lake|comet ?lake|kaby ?lake|skylake|uhd graphics 6\d0|hd graphics [56]\d0/, 'Intel Gen9'],
];

/**
 * The architecture family from the compute capability (NVIDIA) or the chip and marketing
 * names (lspci gives "Navi 31 [Radeon RX 7900 XTX]", nvidia-smi "NVIDIA GeForce RTX 3090").
 */
export function gpuArchitecture(vendor: GpuVendor, names: string[], computeCapability?: string): ArchitectureFamily | undefined {
  if (vendor === 'NVIDIA' && computeCapability) {
    const exact = nvidiaArchitectureFromComputeCapability(computeCapability);
    if (exact) return exact;
  }
  if (vendor === 'Apple') return names.some((n) => /apple m\d/i.test(n)) ? 'Apple M-series' : undefined;
  const rules = vendor === 'NVIDIA' ? NVIDIA_RULES : vendor === 'AMD' ? AMD_RULES : INTEL_RULES;
  const text = names.join(' ').toLowerCase();
  return rules.find(([pattern]) => pattern.test(text))?.[1];
}
