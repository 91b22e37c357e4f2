import type { JobSettings } from '../../shared/job-settings.js';
import { facesStage } from './faces-stage.js';
import { fadingStage } from './fading-stage.js';
import { repairStage } from './repair-stage.js';
import type { OpenedStage, StageDefinition, StageServices } from './stage-definition.js';

/**
 * The registration list: every stage around the network, in the order they run (see
 * STAGE_ORDER). The super-resolution network itself ("upscale", upscale-stage.ts) runs
 * between the image stages and the canvas stages, tiled and batched by the scheduler.
 */
export const STAGES: readonly StageDefinition[] = [repairStage, fadingStage, facesStage];

/**
 * Opens the stages a job wants, once per job; if one cannot open, those already open are
 * closed. A stage asked for only if possible that cannot run is left out with a reason.
 */
export async function openStages(settings: JobSettings, services: StageServices): Promise<{ stages: OpenedStage[]; unavailable: string[] }> {
  const stages: OpenedStage[] = [];
  const unavailable: string[] = [];
  try {
    for (const stage of STAGES) {
      if (!stage.wanted(settings)) continue;
      const opened = await stage.open(settings, services);
      if ('unavailable' in opened) unavailable.push(opened.unavailable);
      else stages.push(opened);
    }
    return { stages, unavailable };
  } catch (error) {
    await closeStages(stages);
    throw error;
  }
}

export async function closeStages(stages: readonly OpenedStage[]): Promise<void> {
  for (const stage of stages) await stage.dispose?.();
}
