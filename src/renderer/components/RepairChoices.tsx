import { useId } from 'react';
import type { JobSettings } from '../../shared/job-settings.js';

/** The repair stages a job or a watch folder asks for (the switches of the job settings record). */
export interface RepairChoice {
  scratches: boolean;
  fading: boolean;
  /** The fading strength in per cent, or 'auto' for the one each photo measures. */
  fadingStrength: number | 'auto';
  /** Restore faces (with the model picked, or the best one installed). */
  faces: boolean;
}

export const NO_REPAIR: RepairChoice = { scratches: false, fading: false, fadingStrength: 'auto', faces: false };

const SWITCHES: ReadonlyArray<{ key: 'scratches' | 'fading' | 'faces'; label: string; explanation: string }> = [
  { key: 'scratches', label: 'Repair scratches and dust', explanation: 'Finds scratches, cracks, dust and small tears and fills them in from the picture around them.' },
  { key: 'fading', label: 'Restore faded colour', explanation: 'Brings back the contrast and colour a print loses with age, as much as each photo measures faded; black-and-white prints come out neutral.' },
  { key: 'faces', label: 'Restore faces', explanation: 'Sharpens faces with a face model, when one is installed; without one the rest still runs.' },
];

/** 'auto' measures each photo; a set strength is for photos whose fading cannot be measured (greyscale scans). */
const FADING_STRENGTHS: Array<number | 'auto'> = ['auto', 25, 50, 75, 100];

/** The repair switches, and the fading strength when fading is on; test ids start with `idPrefix` ("repair", "watch-repair"). */
export function RepairChoices({ value, onChange, faceModelInstalled, idPrefix }: { value: RepairChoice; onChange: (value: RepairChoice) => void; faceModelInstalled: boolean; idPrefix: string }) {
  const hintId = useId();
  return (
    <>
      <ul className="repair-switches">
        {SWITCHES.map((choice) => (
          <li key={choice.key}>
            <label className="switch">
              <input type="checkbox" checked={value[choice.key]} onChange={(e) => onChange({ ...value, [choice.key]: e.target.checked })} data-testid={`${idPrefix}-${choice.key}`} />
              <span>{choice.label}</span>
            </label>
            <p className="subtle small">
              {choice.explanation}
              {choice.key === 'faces' && !faceModelInstalled && <span data-testid={`${idPrefix}-no-face-model`}> No face model is installed yet.</span>}
            </p>
          </li>
        ))}
      </ul>
      {value.fading && (
        <div className="fading-strength-choice">
          <label>
            <span>Faded colour strength</span>
            <select value={String(value.fadingStrength)} onChange={(e) => onChange({ ...value, fadingStrength: e.target.value === 'auto' ? 'auto' : Number(e.target.value) })} aria-describedby={hintId} data-testid={`${idPrefix}-fading-strength`}>
              {FADING_STRENGTHS.map((s) => (
                <option key={s} value={String(s)}>
                  {s === 'auto' ? 'Automatic (as faded as each photo measures)' : `${s} %`}
                </option>
              ))}
            </select>
          </label>
          <p id={hintId} className="subtle small">
            A greyscale scan shows no colour to measure its fading by, so Automatic leaves it as it is: set a strength to bring back its contrast. A set strength applies to every photo; keep Automatic for colour photos.
          </p>
        </div>
      )}
    </>
  );
}

/**
 * The settings these choices make, faces aside (the caller picks the face model). Masks are
 * kept with repaired photos, so Compare can show what was repaired.
 */
export function repairSettings(choice: RepairChoice): Pick<JobSettings, 'scratches' | 'saveMasks' | 'fading' | 'fadingStrength'> {
  return {
    ...(choice.scratches ? { scratches: true, saveMasks: true } : {}),
    ...(choice.fading ? { fading: true, ...(choice.fadingStrength === 'auto' ? {} : { fadingStrength: choice.fadingStrength }) } : {}),
  };
}
