/** The tests' PRNG is the one core's synthetic damage uses (src/shared/seeded-random.ts). */
export { seededRandom } from '../../src/shared/seeded-random.js';
