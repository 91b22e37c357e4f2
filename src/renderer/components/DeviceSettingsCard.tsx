import { useEffect, useMemo, useState } from 'react';
import { DeviceSettingsSchema, PROVIDERS, type DeviceSettings, type DeviceWithSettings } from '../../shared/devices.js';
import { formatBytes } from '../format.js';
import { useStudioContext } from '../hooks/use-api.js';
import { Icon } from './Icon.js';

/** The form's fields as typed (strings), so a half-typed number is not lost while editing. */
interface Draft {
  enabled: boolean;
  provider: DeviceSettings['provider'];
  precision: DeviceSettings['precision'];
  tileSize: string;
  budgetKind: 'fraction' | 'bytes';
  budgetValue: string;
  maxBatch: string;
  threads: string;
}

type Field = 'enabled' | 'provider' | 'precision' | 'tileSize' | 'memoryBudget' | 'maxBatch' | 'threads';

function toDraft(s: DeviceSettings): Draft {
  return {
    enabled: s.enabled,
    provider: s.provider,
    precision: s.precision,
    tileSize: s.tileSize === 'auto' ? '' : String(s.tileSize),
    budgetKind: s.memoryBudget.kind,
    budgetValue: s.memoryBudget.kind === 'fraction' ? String(Math.round(s.memoryBudget.value * 100)) : String(Math.round(s.memoryBudget.value / (1024 * 1024))),
    maxBatch: String(s.maxBatch),
    threads: s.threads === 'auto' ? '' : String(s.threads),
  };
}

const number = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

/** Draft -> settings, validated with the same schema the host uses; messages per field. */
function fromDraft(d: Draft): { settings?: DeviceSettings; errors: Partial<Record<Field, string>> } {
  const candidate = {
    enabled: d.enabled,
    provider: d.provider,
    precision: d.precision,
    tileSize: d.tileSize.trim() === '' ? 'auto' : number(d.tileSize),
    memoryBudget: d.budgetKind === 'fraction' ? { kind: 'fraction', value: number(d.budgetValue) / 100 } : { kind: 'bytes', value: Math.round(number(d.budgetValue) * 1024 * 1024) },
    maxBatch: number(d.maxBatch),
    threads: d.threads.trim() === '' ? 'auto' : number(d.threads),
  };
  const parsed = DeviceSettingsSchema.safeParse(candidate);
  if (parsed.success) return { settings: parsed.data, errors: {} };
  const errors: Partial<Record<Field, string>> = {};
  const friendly: Record<Field, string> = {
    enabled: 'Choose on or off.',
    provider: 'Choose a provider.',
    precision: 'Choose fp32 or fp16.',
    tileSize: 'A whole number of pixels from 0 (whole photo) to 8192, or empty for automatic.',
    memoryBudget: d.budgetKind === 'fraction' ? 'A percentage above 0, at most 100.' : 'A whole number of megabytes above 0.',
    maxBatch: 'A whole number from 1 to 64.',
    threads: 'A whole number from 1 to 256, or empty for automatic.',
  };
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as Field;
    errors[field] ??= friendly[field] ?? issue.message;
  }
  return { errors };
}

/** Only what the user changed is sent, so untouched fields keep following the presets. */
function changes(before: DeviceSettings, after: DeviceSettings): Partial<DeviceSettings> {
  const patch: Partial<DeviceSettings> = {};
  for (const key of Object.keys(after) as Array<keyof DeviceSettings>) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) (patch as Record<string, unknown>)[key] = after[key];
  }
  return patch;
}

export function DeviceSettingsCard({ device, onSaved }: { device: DeviceWithSettings; onSaved: (device: DeviceWithSettings) => void }) {
  const { api, notify } = useStudioContext();
  const [draft, setDraft] = useState<Draft>(() => toDraft(device.settings));
  const [saving, setSaving] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  // Only a real change of the saved settings replaces the draft (a refreshed device list must not throw away edits).
  const savedSettings = JSON.stringify(device.settings);
  useEffect(() => setDraft(toDraft(JSON.parse(savedSettings) as DeviceSettings)), [savedSettings]);

  const { settings, errors } = useMemo(() => fromDraft(draft), [draft]);
  const patch = settings ? changes(device.settings, settings) : {};
  const dirty = Object.keys(patch).length > 0;
  const providers = [...new Set([...device.providers, device.settings.provider])].filter((p) => (PROVIDERS as readonly string[]).includes(p));
  const update = (change: Partial<Draft>) => {
    setSaved(false);
    setServerError(null);
    setDraft({ ...draft, ...change });
  };

  async function save() {
    if (!settings || !dirty) return;
    setSaving(true);
    const result = await api.setDeviceSettings({ deviceId: device.id, settings: patch });
    setSaving(false);
    if (!result.ok) {
      setServerError(result.error.message);
      return;
    }
    setSaved(true);
    notify({ kind: 'info', message: `Saved the settings for ${device.name}.` });
    onSaved(result.value);
  }

  const fieldId = (field: string) => `${device.id}-${field}`;
  const error = (field: Field) =>
    errors[field] && (
      <span className="field-error" id={fieldId(`${field}-error`)} role="alert" data-testid={`error-${field}`}>
        {errors[field]}
      </span>
    );

  return (
    <article className="card device-card" data-testid="device-card" data-device={device.id}>
      <header className="device-card-head">
        <div>
          <h3>
            <Icon name="chip" /> {device.name}
          </h3>
          <p className="subtle small">
            {device.vendor} · {device.kind.replace('-', ' ')}
            {device.architecture ? ` · ${device.architecture}` : ''}
            {device.memoryTotalBytes ? ` · ${formatBytes(device.memoryTotalBytes)}` : ''}
            {device.memoryFreeBytes ? ` (${formatBytes(device.memoryFreeBytes)} free)` : ''}
            {device.id !== device.kind && (
              <>
                {' · '}
                <code>{device.id}</code>
              </>
            )}
          </p>
        </div>
        <label className="switch">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => update({ enabled: e.target.checked })} data-testid="setting-enabled" />
          <span>{draft.enabled ? 'Enabled' : 'Disabled'}</span>
        </label>
      </header>
      {device.warnings.length > 0 && (
        <ul className="warnings">
          {device.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
      <div className="settings-grid">
        <label htmlFor={fieldId('provider')}>
          <span>Provider</span>
          <select id={fieldId('provider')} value={draft.provider} onChange={(e) => update({ provider: e.target.value as Draft['provider'], ...(e.target.value === 'cpu' ? { precision: 'fp32' as const } : {}) })} data-testid="setting-provider">
            {providers.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
          {error('provider')}
        </label>
        <label htmlFor={fieldId('precision')}>
          <span>Precision</span>
          <select id={fieldId('precision')} value={draft.precision} onChange={(e) => update({ precision: e.target.value as Draft['precision'] })} data-testid="setting-precision">
            <option value="fp32">fp32</option>
            {(draft.provider !== 'cpu' || draft.precision === 'fp16') && <option value="fp16">fp16 (GPU providers)</option>}
          </select>
          {error('precision')}
        </label>
        <label htmlFor={fieldId('tile')}>
          <span>Tile size (px)</span>
          <input id={fieldId('tile')} inputMode="numeric" placeholder="automatic" value={draft.tileSize} onChange={(e) => update({ tileSize: e.target.value })} aria-invalid={Boolean(errors.tileSize)} data-testid="setting-tile" />
          {error('tileSize')}
        </label>
        <label htmlFor={fieldId('budget')} className="span-2">
          <span>Memory budget</span>
          <div className="input-with-button">
            <input id={fieldId('budget')} inputMode="decimal" value={draft.budgetValue} onChange={(e) => update({ budgetValue: e.target.value })} aria-invalid={Boolean(errors.memoryBudget)} data-testid="setting-budget" />
            <select value={draft.budgetKind} onChange={(e) => update({ budgetKind: e.target.value as Draft['budgetKind'] })} aria-label="Memory budget unit" data-testid="setting-budget-kind">
              <option value="fraction">% of free</option>
              <option value="bytes">MB</option>
            </select>
          </div>
          {error('memoryBudget')}
        </label>
        <label htmlFor={fieldId('batch')}>
          <span>Max batch</span>
          <input id={fieldId('batch')} inputMode="numeric" value={draft.maxBatch} onChange={(e) => update({ maxBatch: e.target.value })} aria-invalid={Boolean(errors.maxBatch)} data-testid="setting-max-batch" />
          {error('maxBatch')}
        </label>
        <label htmlFor={fieldId('threads')}>
          <span>Threads</span>
          <input id={fieldId('threads')} inputMode="numeric" placeholder="automatic" value={draft.threads} onChange={(e) => update({ threads: e.target.value })} aria-invalid={Boolean(errors.threads)} data-testid="setting-threads" />
          {error('threads')}
        </label>
      </div>
      {serverError && (
        <p className="field-error" role="alert" data-testid="device-save-error">
          {serverError}
        </p>
      )}
      <footer className="card-actions">
        {saved && !dirty && <span className="saved-note">Saved</span>}
        <button type="button" className="button ghost" disabled={!dirty} onClick={() => setDraft(toDraft(device.settings))}>
          Revert
        </button>
        <button type="button" className="button primary" disabled={!settings || !dirty || saving} onClick={() => void save()} data-testid="save-device">
          {saving ? 'Saving…' : 'Save'}
        </button>
      </footer>
    </article>
  );
}
