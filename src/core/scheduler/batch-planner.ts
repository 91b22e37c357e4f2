import type { MemoryBudget } from '../../shared/devices.js';
import { batchBytes, type MemoryEstimate } from './memory-model.js';

/**
 * The pure planner: from the free memory, the budget setting and the memory model, the
 * largest batch that fits. The GPEN practice: batch = floor(free x 0.8 / per-item bytes),
 * clamped to 1..max; here per-item bytes come from the model's own memory model and a
 * learned limit (from an earlier out-of-memory) lowers the ceiling.
 */
export interface PlanInput {
  freeBytes: number;
  budget: MemoryBudget;
  /** Memory model for each candidate tile size (padded shape already applied). */
  estimateFor: (tileSize: number) => MemoryEstimate;
  /** Tile sizes to consider, in order of preference (fastest per pixel first). */
  tileCandidates: number[];
  maxBatch: number;
  /** Largest batch x padded-tile pixels known to have worked after an out-of-memory error. */
  learnedLimitItems?: number;
  /** Pixels of one padded tile, to apply learnedLimitItems. */
  paddedPixelsFor?: (tileSize: number) => number;
}

export interface BatchPlan {
  tileSize: number;
  batchSize: number;
  budgetBytes: number;
  expectedBytes: number;
  /** False when even batch 1 at the smallest tile exceeds the budget (it runs anyway, at 1). */
  fits: boolean;
}

export function budgetBytes(freeBytes: number, budget: MemoryBudget): number {
  return budget.kind === 'fraction' ? Math.floor(freeBytes * budget.value) : Math.min(budget.value, freeBytes);
}

export function planBatch(input: PlanInput): BatchPlan {
  const budget = budgetBytes(input.freeBytes, input.budget);
  for (const tileSize of input.tileCandidates) {
    const estimate = input.estimateFor(tileSize);
    let batch = Math.floor((budget - estimate.fixedBytes) / estimate.perItemBytes);
    if (input.learnedLimitItems !== undefined && input.paddedPixelsFor) {
      batch = Math.min(batch, Math.floor(input.learnedLimitItems / input.paddedPixelsFor(tileSize)));
    }
    batch = Math.min(batch, input.maxBatch);
    if (batch >= 1) return { tileSize, batchSize: batch, budgetBytes: budget, expectedBytes: batchBytes(estimate, batch), fits: true };
  }
  const smallest = input.tileCandidates[input.tileCandidates.length - 1] ?? 64;
  return { tileSize: smallest, batchSize: 1, budgetBytes: budget, expectedBytes: batchBytes(input.estimateFor(smallest), 1), fits: false };
}
