import { useEffect, useState } from 'react';
import type { DeviceWithSettings } from '../../shared/devices.js';
import type { ModelSummary } from '../../shared/contract.js';
import type { AppSettings } from '../../shared/settings.js';
import { FormatOptions, ModelOptions } from '../components/ChoiceOptions.js';
import { DeviceSettingsCard } from '../components/DeviceSettingsCard.js';
import { FarmSettingsCard } from '../components/FarmSettingsCard.js';
import { PathField } from '../components/PathField.js';
import { useStudioContext } from '../hooks/use-api.js';

interface AppDraft {
  outputDir: string;
  format: AppSettings['format'];
  quality: string;
  keepMetadata: boolean;
  modelId: string;
  maxMegapixels: string;
}

function toAppDraft(s: AppSettings): AppDraft {
  return {
    outputDir: s.outputDir ?? '',
    format: s.format,
    quality: s.quality === undefined ? '' : String(s.quality),
    keepMetadata: s.keepMetadata,
    modelId: s.modelId ?? '',
    maxMegapixels: String(Math.round(s.maxPixels / 1e6)),
  };
}

function appErrors(d: AppDraft): Partial<Record<keyof AppDraft, string>> {
  const errors: Partial<Record<keyof AppDraft, string>> = {};
  if (d.outputDir.trim() && !/^([A-Za-z]:[\\/]|\/|\\\\)/.test(d.outputDir.trim())) errors.outputDir = 'Use a full path, like /home/you/Pictures/Restored.';
  if (d.quality.trim() && !(Number.isInteger(Number(d.quality)) && Number(d.quality) >= 1 && Number(d.quality) <= 100)) errors.quality = 'A whole number from 1 to 100, or empty for the format’s default.';
  if (!(Number.isFinite(Number(d.maxMegapixels)) && Number(d.maxMegapixels) >= 1 && Number(d.maxMegapixels) <= 4000)) errors.maxMegapixels = 'From 1 to 4000 megapixels.';
  return errors;
}

export function SettingsView({ devices, onDevicesChange, models, appSettings, onAppSettingsChange }: { devices: DeviceWithSettings[] | null; onDevicesChange: (devices: DeviceWithSettings[]) => void; models: ModelSummary[]; appSettings: AppSettings | null; onAppSettingsChange: (settings: AppSettings) => void }) {
  const { api, info, notify } = useStudioContext();
  const [draft, setDraft] = useState<AppDraft | null>(appSettings ? toAppDraft(appSettings) : null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (appSettings) setDraft(toAppDraft(appSettings));
  }, [appSettings]);

  const errors = draft ? appErrors(draft) : {};
  const valid = Object.keys(errors).length === 0;

  async function saveApp() {
    if (!draft || !valid) return;
    setSaving(true);
    const result = await api.setAppSettings({
      outputDir: draft.outputDir.trim() || null,
      format: draft.format,
      quality: draft.quality.trim() ? Number(draft.quality) : null,
      keepMetadata: draft.keepMetadata,
      modelId: draft.modelId || null,
      maxPixels: Math.round(Number(draft.maxMegapixels) * 1e6),
    });
    setSaving(false);
    if (!result.ok) return notify({ kind: 'error', message: result.error.message });
    notify({ kind: 'info', message: 'Saved the app settings.' });
    onAppSettingsChange(result.value);
  }

  async function browse() {
    const result = await api.chooseFolderDialog({ title: 'Default output folder', ...(draft?.outputDir ? { defaultPath: draft.outputDir } : {}) });
    if (result.ok && result.value.path && draft) setDraft({ ...draft, outputDir: result.value.path });
  }

  return (
    <div className="view settings-view">
      <header className="view-header">
        <div>
          <h1>Settings</h1>
          <p className="subtle">Per-device settings steer the scheduler; app settings are the defaults for new jobs.</p>
        </div>
      </header>

      <section aria-labelledby="devices-title" className="settings-section">
        <h2 id="devices-title">Devices</h2>
        {!info.capabilities.devices && <p className="subtle card">Device settings are not available in this build: jobs run on the CPU with automatic settings.</p>}
        {info.capabilities.devices && devices === null && <p className="subtle">Looking for devices…</p>}
        {devices?.map((device) => (
          <DeviceSettingsCard key={device.id} device={device} onSaved={(updated) => onDevicesChange(devices.map((d) => (d.id === updated.id ? updated : d)))} />
        ))}
      </section>

      <section aria-labelledby="farm-title" className="settings-section">
        <h2 id="farm-title">Farm</h2>
        <FarmSettingsCard />
      </section>

      <section aria-labelledby="app-settings-title" className="settings-section">
        <h2 id="app-settings-title">App</h2>
        {draft && (
          <div className="card">
            <div className="settings-grid">
              <PathField label="Default output folder" value={draft.outputDir} onChange={(outputDir) => setDraft({ ...draft, outputDir })} onBrowse={info.capabilities.dialogs ? () => void browse() : undefined} placeholder={info.defaultOutputDir} invalid={Boolean(errors.outputDir)} testId="app-output-dir">
                {errors.outputDir && <span className="field-error">{errors.outputDir}</span>}
              </PathField>
              <label>
                <span>Format</span>
                <select value={draft.format} onChange={(e) => setDraft({ ...draft, format: e.target.value as AppSettings['format'] })} data-testid="app-format">
                  <FormatOptions />
                </select>
              </label>
              <label>
                <span>Quality (JPEG, WebP)</span>
                <input inputMode="numeric" placeholder="default" value={draft.quality} onChange={(e) => setDraft({ ...draft, quality: e.target.value })} aria-invalid={Boolean(errors.quality)} />
                {errors.quality && <span className="field-error">{errors.quality}</span>}
              </label>
              <label className="model-choice">
                <span>Default model</span>
                <select value={draft.modelId} onChange={(e) => setDraft({ ...draft, modelId: e.target.value })} data-testid="app-default-model">
                  <option value="">Heirloom’s default</option>
                  <ModelOptions models={models} task="restore-upscale" />
                </select>
              </label>
              <label>
                <span>Pixel limit (megapixels)</span>
                <input inputMode="numeric" value={draft.maxMegapixels} onChange={(e) => setDraft({ ...draft, maxMegapixels: e.target.value })} aria-invalid={Boolean(errors.maxMegapixels)} />
                {errors.maxMegapixels && <span className="field-error">{errors.maxMegapixels}</span>}
              </label>
              <label className="switch wide">
                <input type="checkbox" checked={draft.keepMetadata} onChange={(e) => setDraft({ ...draft, keepMetadata: e.target.checked })} data-testid="app-keep-metadata" />
                <span>Keep photo metadata (date, camera, location)</span>
              </label>
            </div>
            <footer className="card-actions">
              <button type="button" className="button primary" disabled={!valid || saving} onClick={() => void saveApp()} data-testid="save-app-settings">
                {saving ? 'Saving…' : 'Save'}
              </button>
            </footer>
          </div>
        )}
        <p className="subtle small">Data folder: {info.home}</p>
      </section>
    </div>
  );
}
