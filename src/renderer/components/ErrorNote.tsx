import type { PhotoError } from '../../shared/contract.js';
import { plainError } from '../error-hints.js';
import { Icon } from './Icon.js';

/** An error as core reported it, and what to do about it. */
export function ErrorNote({ error, compact = false }: { error: PhotoError; compact?: boolean }) {
  const plain = plainError(error);
  return (
    <div className={`error-note${compact ? ' compact' : ''}`} role="alert" data-testid="error-note" data-code={error.code}>
      <Icon name="alert" size={16} />
      <div>
        <p className="error-message">{plain.message}</p>
        {plain.advice && <p className="error-hint">{plain.advice}</p>}
        <p className="error-code" data-testid="error-detail">
          {plain.detail}
        </p>
      </div>
    </div>
  );
}
