import { restoreFading, type FadingAnalysis } from '../repair/fading.js';
import type { StageDefinition } from './stage-definition.js';

/**
 * Fading: black and white points per channel, neutral balance and gamma, with a strength
 * that follows how faded the photo measures (an unfaded photo passes almost unchanged; a
 * toned black-and-white print comes out neutral grey).
 */
export const fadingStage: StageDefinition = {
  name: 'fading',
  wanted: (settings) => settings.fading === true,
  async open() {
    return {
      on: 'image',
      name: 'fading',
      progress: 'fading',
      async run({ image, notes }) {
        const { image: restored, analysis } = restoreFading(image);
        const note = fadingNote(analysis);
        if (note) notes.push(note);
        return restored;
      },
    };
  },
};

/** What the user is told about fading, when there was any to restore. */
export function fadingNote(analysis: FadingAnalysis): string | undefined {
  if (analysis.fading < 0.05) return undefined;
  return `faded colour restored (fading ${Math.round(analysis.fading * 100)} %${analysis.monochrome ? ', black and white made neutral' : ''})`;
}
