/** Old-photo damage repair: the pixel building blocks the restore pipeline's stages call. */
export { inpaint, type InpaintMethod, type InpaintOptions, type InpaintResult } from './inpaint.js';
export { restoreFading, analyseFading, simulateFading, type FadingAnalysis, type FadingOptions, type FadingParams, type FadingResult } from './fading.js';
export { deltaE76 } from './colour.js';
export { synthesizeDamage, type DamageOptions, type SyntheticDamage } from './synthetic-damage.js';
export { dilateMask, maskComponents, type MaskComponent } from './mask.js';
export { makeImage, type RepairImage, type RepairPixels } from './image.js';
export { loadOpenCv } from './opencv.js';
