import type { ReactNode } from 'react';

/** A labelled path box, with a button that opens the host's file dialog where it has one (`onBrowse`). */
export function PathField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  onBrowse?: (() => void) | undefined;
  browseLabel?: string;
  placeholder?: string | undefined;
  invalid?: boolean;
  testId: string;
  /** Below the box: a field error, say. */
  children?: ReactNode;
}) {
  return (
    <label className="wide">
      <span>{props.label}</span>
      <div className="input-with-button">
        <input type="text" value={props.value} onChange={(e) => props.onChange(e.target.value)} placeholder={props.placeholder} aria-invalid={props.invalid} data-testid={props.testId} spellCheck={false} />
        {props.onBrowse && (
          <button type="button" className="button ghost" onClick={props.onBrowse}>
            {props.browseLabel ?? 'Browse…'}
          </button>
        )}
      </div>
      {props.children}
    </label>
  );
}
