import type { PhotoError } from '../../shared/contract.js';
import { errorHint } from '../error-hints.js';
import { Icon } from './Icon.js';

/** An error as core reported it, and what to do about it. */
export function ErrorNote({ error, compact = false }: { error: PhotoError; compact?: boolean }) {
  const hint = errorHint(error.code);
  return (
    <div className={`error-note${compact ? ' compact' : ''}`} role="alert" data-testid="error-note" data-code={error.code}>
      <Icon name="alert" size={16} />
      <div>
        <p className="error-message">{error.message}</p>
        {hint && <p className="error-hint">{hint}</p>}
        <p className="error-code">{error.code}</p>
      </div>
    </div>
  );
}
