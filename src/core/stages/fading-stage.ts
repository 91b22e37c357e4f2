import { FADING_METHOD, restoreFading, type FadingAnalysis } from '../repair/fading.js';
import type { JobSettings } from '../../shared/job-settings.js';
import type { StageDefinition } from './stage-definition.js';

/**
 * Fading: black and white points per channel, neutral balance and gamma, with a strength
 * that follows how faded the photo measures (an unfaded photo passes almost unchanged; a
 * toned black-and-white print comes out neutral grey; a photo without colour is left as it is,
 * since its low contrast may be the scene's), or the strength the job sets.
 */
export const fadingStage: StageDefinition = {
  name: 'fading',
  wanted: (settings) => settings.fading === true,
  async open(settings) {
    const strength = fadingStrengthOf(settings);
    return {
      on: 'image',
      name: 'fading',
      progress: 'fading',
      resolved: { fadingMethod: FADING_METHOD },
      async run({ image, notes }) {
        const { image: restored, analysis } = restoreFading(image, strength === undefined ? {} : { strength });
        const note = fadingNote(analysis, strength !== undefined);
        if (note) notes.push(note);
        return restored;
      },
    };
  },
};

/** The strength a job sets (0..1), or undefined to apply the measured one. */
export function fadingStrengthOf(settings: Pick<JobSettings, 'fadingStrength'>): number | undefined {
  return settings.fadingStrength === undefined ? undefined : settings.fadingStrength / 100;
}

/** What the user is told about fading: how much was restored, or why a low-contrast photo was left as it is. */
export function fadingNote(analysis: FadingAnalysis, strengthSet = false): string | undefined {
  // A toned black-and-white print is made neutral at any strength; one already grey is not changed by it.
  const neutral = analysis.monochrome && analysis.coloured;
  if (strengthSet) return `faded colour restored at the strength set (${Math.round(analysis.fading * 100)} %${neutral ? ', black and white made neutral' : ''})`;
  if (analysis.fading >= 0.05) return `faded colour restored (fading ${Math.round(analysis.fading * 100)} %${neutral ? ', black and white made neutral' : ''})`;
  if (neutral) return 'black and white made neutral (no fading measured)';
  // Blacks lifted enough to measure a coloured photo at least half faded.
  if (!analysis.coloured && analysis.liftedBlacks >= 0.5) return 'low contrast left as it is: a photo without colour does not show whether it faded (set a fading strength to restore it)';
  return undefined;
}
