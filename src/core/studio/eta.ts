/**
 * Remaining time for a job from its own pace so far: elapsed time per unit of work done
 * (finished photos count 1, running ones their fraction) times the work left. Undefined
 * until enough work is done for the figure to mean something.
 */
export function estimateRemainingMs(input: { startedAt: number; now: number; totalPhotos: number; finishedPhotos: number; runningFractions: number[] }): number | undefined {
  const running = input.runningFractions.reduce((sum, v) => sum + Math.min(1, Math.max(0, v)), 0);
  const done = input.finishedPhotos + running;
  if (input.totalPhotos <= 0 || done < 0.05) return undefined;
  const elapsed = Math.max(0, input.now - input.startedAt);
  const left = Math.max(0, input.totalPhotos - done);
  return Math.round((elapsed / done) * left);
}
