import type { ModelSummary } from '../../shared/contract.js';
import type { FormatChoiceName } from '../../shared/settings.js';

const FORMAT_LABELS: Record<FormatChoiceName, string> = { keep: 'Same as original', png: 'PNG', jpeg: 'JPEG', webp: 'WebP', tiff: 'TIFF' };

/** The <option>s of an output-format <select>, the same in every view. */
export function FormatOptions() {
  return (
    <>
      {(Object.keys(FORMAT_LABELS) as FormatChoiceName[]).map((format) => (
        <option key={format} value={format}>
          {FORMAT_LABELS[format]}
        </option>
      ))}
    </>
  );
}

/** The <option>s of a model <select>: the installed models of one task (restoring photos, restoring faces...). */
export function ModelOptions({ models, task }: { models: readonly ModelSummary[]; task: ModelSummary['task'] }) {
  return (
    <>
      {models
        .filter((m) => m.task === task)
        .map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
    </>
  );
}
