import { restoreFading } from '../repair/fading.js';
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
        if (analysis.fading >= 0.05) notes.push(`faded colour restored (fading ${Math.round(analysis.fading * 100)} %${analysis.monochrome ? ', black and white made neutral' : ''})`);
        return restored;
      },
    };
  },
};
