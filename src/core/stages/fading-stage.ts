import { FADING_METHOD, restoreFading, type FadingAnalysis } from '../repair/fading.js';
import { fadingStrengthSet, type JobSettings } from '../../shared/job-settings.js';
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
    const options = fadingOptionsOf(settings);
    return {
      on: 'image',
      name: 'fading',
      progress: 'fading',
      resolved: { fadingMethod: FADING_METHOD },
      async run({ image, notes }) {
        const { image: restored, analysis } = restoreFading(image, options);
        const note = fadingNote(analysis, options.strength !== undefined);
        if (note) notes.push(note);
        return restored;
      },
    };
  },
};

/** restoreFading's options for a job: the strength it sets (0..1), else none (the measured one applies). */
export function fadingOptionsOf(settings: Pick<JobSettings, 'fading' | 'fadingStrength'>): { strength?: number } {
  const percent = fadingStrengthSet(settings);
  return percent === undefined ? {} : { strength: percent / 100 };
}

/** What the user is told about fading: how much was restored, or why a low-contrast photo was left as it is. */
export function fadingNote(analysis: FadingAnalysis, strengthSet = false): string | undefined {
  // A toned black-and-white print is made neutral at any strength; one already grey is not changed by it.
  const neutral = analysis.monochrome && analysis.coloured;
  const restored = (how: string) => `faded colour restored ${how}${neutral ? ', black and white made neutral' : ''})`;
  if (strengthSet) return restored(`at the strength set (${Math.round(analysis.fading * 100)} %`);
  if (analysis.fading >= 0.05) return restored(`(fading ${Math.round(analysis.fading * 100)} %`);
  if (neutral) return 'black and white made neutral (no fading measured)';
  // Blacks lifted enough to measure a coloured photo at least half faded.
  if (!analysis.coloured && analysis.liftedBlacks >= 0.5) return 'low contrast left as it is: a photo without colour does not show whether it faded (set a fading strength to restore it)';
  return undefined;
}
