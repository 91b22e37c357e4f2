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

/** The <option>s of a restoration-model <select>: installed models that restore photos (not face or detection models). */
export function RestoreModelOptions({ models }: { models: readonly ModelSummary[] }) {
  return (
    <>
      {models
        .filter((m) => m.task === 'restore-upscale')
        .map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
    </>
  );
}
