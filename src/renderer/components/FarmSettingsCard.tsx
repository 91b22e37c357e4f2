import { useEffect, useState } from 'react';
import { useStudioContext } from '../hooks/use-api.js';

/**
 * Settings' Farm card (issue #18): the farm's Redis URL. The host keeps it (password
 * included) in a file only this user reads; the page is only ever shown it without the
 * password, and a new one is typed into a password field.
 */
export function FarmSettingsCard() {
  const { api, notify } = useStudioContext();
  const [current, setCurrent] = useState<string | null | undefined>(undefined);
  const [draft, setDraft] = useState('');
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    void api.getFarm({}).then((result) => setCurrent(result.ok ? result.value.url : null));
  }, [api]);
  const valid = /^rediss?:\/\/\S+$/.test(draft.trim());

  async function save(url: string | null) {
    setSaving(true);
    const result = await api.setFarm({ url });
    setSaving(false);
    if (!result.ok) return notify({ kind: 'error', message: result.error.message });
    setCurrent(result.value.url);
    setDraft('');
    notify({ kind: 'info', message: url ? `Saved the farm at ${result.value.url}: its workers show in the Devices card.` : 'The farm was removed.' });
  }

  return (
    <div className="card" data-testid="farm-settings">
      <p className="subtle">
        A farm spreads one job over several computers through a Redis queue: run <code>heirloom worker --redis URL</code> on each, with the photos on a shared folder mounted at the same place.
      </p>
      <p data-testid="farm-current">{current === undefined ? 'Reading…' : current ? `Farm: ${current}` : 'No farm set.'}</p>
      <div className="settings-grid">
        <label className="wide">
          <span>Redis URL (redis://:password@host:6379, or rediss:// for TLS)</span>
          <input type="password" autoComplete="off" value={draft} onChange={(e) => setDraft(e.target.value)} aria-invalid={draft !== '' && !valid} data-testid="farm-url" spellCheck={false} />
        </label>
      </div>
      <footer className="card-actions">
        {current && (
          <button type="button" className="button ghost" disabled={saving} onClick={() => void save(null)} data-testid="farm-remove">
            Remove
          </button>
        )}
        <button type="button" className="button primary" disabled={!valid || saving} onClick={() => void save(draft.trim())} data-testid="farm-save">
          {saving ? 'Saving…' : 'Save'}
        </button>
      </footer>
    </div>
  );
}
