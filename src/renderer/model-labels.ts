import type { ModelTask } from '../shared/model-manifest.js';

/** What each kind of model does, in the words the Models screen uses. */
export const TASK_LABELS: Record<ModelTask, { label: string; explanation: string }> = {
  'restore-upscale': { label: 'Upscaler', explanation: 'Enlarges the photo and restores detail.' },
  'face-restore': { label: 'Face restorer', explanation: 'Sharpens and repairs faces.' },
  'damage-detect': { label: 'Damage detector', explanation: 'Finds scratches, cracks and dust to repair.' },
  'face-detect': { label: 'Face detector', explanation: 'Finds the faces a face restorer works on.' },
};

const SOURCE_LABELS: Record<string, string> = { bundled: 'Bundled', downloaded: 'Downloaded', imported: 'Imported', converted: 'Converted' };

export function sourceLabel(source: string): string {
  return SOURCE_LABELS[source] ?? source;
}
