import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AppInfo, HeirloomApi, InspectedPath, ModelSummary, QueueFile, QueueItem } from '../shared/contract.js';
import type { DeviceWithSettings } from '../shared/devices.js';
import { DEFAULT_MODEL_ID } from '../shared/model-manifest.js';
import type { AppSettings } from '../shared/settings.js';
import { DISCONNECTED_EVENT } from './bridge/websocket-bridge.js';
import { targetFromQueue, type CompareTarget } from './compare-target.js';
import { Icon } from './components/Icon.js';
import { Sidebar, type ViewName } from './components/Sidebar.js';
import { errorHint } from './error-hints.js';
import { StudioContext, type StudioContextValue } from './hooks/use-api.js';
import { useQueue } from './hooks/use-queue.js';
import { usePhotoAdder } from './hooks/use-photo-adder.js';
import { CompareView } from './views/CompareView.js';
import { HistoryView } from './views/HistoryView.js';
import { ModelsView } from './views/ModelsView.js';
import { RestoreView, type RestoreOptions } from './views/RestoreView.js';
import { SettingsView } from './views/SettingsView.js';
import { WatchView } from './views/WatchView.js';

interface Notice {
  id: number;
  kind: 'error' | 'info';
  message: string;
  hint?: string;
}

const VIEW_KEY = 'heirloom.view';
const VIEWS: readonly ViewName[] = ['restore', 'compare', 'history', 'models', 'settings', 'watch'];

function initialView(): ViewName {
  const stored = sessionStorage.getItem(VIEW_KEY);
  return VIEWS.includes(stored as ViewName) ? (stored as ViewName) : 'restore';
}

export function App({ api, initialInfo }: { api: HeirloomApi; initialInfo: AppInfo }) {
  const [info, setInfo] = useState(initialInfo);
  const [view, setView] = useState<ViewName>(initialView);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [models, setModels] = useState<ModelSummary[]>([]);
  const [devices, setDevices] = useState<DeviceWithSettings[] | null>(null);
  const [appSettings, setAppSettings] = useState<AppSettings | null>(null);
  const [draft, setDraft] = useState<InspectedPath[]>([]);
  const [options, setOptions] = useState<RestoreOptions>({ modelId: DEFAULT_MODEL_ID, scale: 'model', deviceId: '', tile: 'auto', batch: 'auto', format: 'keep', outDir: initialInfo.defaultOutputDir, scratches: false, fading: false, fadingStrength: 'auto', faces: false, faceModelId: '' });
  const [compareTarget, setCompareTarget] = useState<CompareTarget | null>(null);
  const [historyKey, setHistoryKey] = useState(0);
  const [disconnected, setDisconnected] = useState(false);
  const nextNotice = useRef(1);
  const queue = useQueue(api);

  const notify = useCallback<StudioContextValue['notify']>((notice) => {
    const id = nextNotice.current++;
    setNotices((previous) => [...previous.slice(-4), { id, ...notice }]);
    if (notice.kind === 'info') setTimeout(() => setNotices((previous) => previous.filter((n) => n.id !== id)), 4000);
  }, []);

  const adder = usePhotoAdder(api, notify, setDraft);

  // A photo dropped anywhere in the window is added (on the Restore page), and the window never navigates to it.
  useEffect(() => {
    const onDragOver = (event: DragEvent) => {
      if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
    };
    const onDrop = (event: DragEvent) => {
      if (!event.dataTransfer?.types.includes('Files')) return;
      const handled = event.defaultPrevented; // the Restore page's drop zone took it
      event.preventDefault();
      if (handled) return;
      const files = [...event.dataTransfer.files];
      if (files.length === 0) return;
      setView('restore');
      sessionStorage.setItem(VIEW_KEY, 'restore');
      void adder.addFiles(files);
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
    };
  }, [adder]);

  const select = (next: ViewName) => {
    setView(next);
    sessionStorage.setItem(VIEW_KEY, next);
  };

  useEffect(() => {
    // Start-up notices (a damaged history database replaced) stay until dismissed.
    for (const message of initialInfo.notices ?? []) notify({ kind: 'error', message });
  }, [initialInfo, notify]);

  useEffect(() => {
    void api.listModels().then((r) => {
      if (r.ok) setModels(r.value);
      else notify({ kind: 'error', message: r.error.message, ...(errorHint(r.error.code) ? { hint: errorHint(r.error.code)! } : {}) });
    });
    void api.getAppSettings().then((r) => {
      if (!r.ok) return notify({ kind: 'error', message: r.error.message });
      setAppSettings(r.value);
      setOptions((o) => ({ ...o, format: r.value.format, ...(r.value.modelId ? { modelId: r.value.modelId } : {}) }));
    });
    if (info.capabilities.devices) {
      void api.listDevices().then((r) => {
        if (r.ok) setDevices(r.value);
        else notify({ kind: 'error', message: r.error.message });
      });
    }
    const offDevices = api.onDevicesChanged((list) => setDevices(list));
    // A download, import or removal (on any page of this host) changes the installed list.
    const offModels = api.onModelsChanged((list) => setModels(list));
    const onDisconnect = () => setDisconnected(true);
    window.addEventListener(DISCONNECTED_EVENT, onDisconnect);
    return () => {
      offDevices();
      offModels();
      window.removeEventListener(DISCONNECTED_EVENT, onDisconnect);
    };
  }, [api, info.capabilities.devices, notify]);

  // The default output folder follows the app settings until the user types one for this job.
  const onAppSettingsChange = (settings: AppSettings) => {
    setAppSettings(settings);
    void api.appInfo().then((r) => {
      if (!r.ok) return;
      setInfo(r.value);
      setOptions((o) => (o.outDir === info.defaultOutputDir ? { ...o, outDir: r.value.defaultOutputDir, format: settings.format } : { ...o, format: settings.format }));
    });
  };

  const compareFile = (item: QueueItem, file: QueueFile) => {
    const target = targetFromQueue(item, file);
    if (!target) return;
    setCompareTarget(target);
    select('compare');
  };

  const busy = useMemo(() => (queue.snapshot?.items ?? []).some((i) => i.state === 'running' || i.state === 'queued'), [queue.snapshot]);
  const context = useMemo<StudioContextValue>(() => ({ api, info, notify }), [api, info, notify]);

  return (
    <StudioContext.Provider value={context}>
      <div className="app">
        <Sidebar current={view} onSelect={select} busy={busy} hostLabel={info.host === 'browser' ? `Browser · heirloom serve · v${info.version}` : `v${info.version}`} />
        <main className="content">
          {disconnected && (
            <div className="banner" role="alert">
              <Icon name="alert" /> The connection to heirloom serve was lost. Start it again and open the new address it prints.
            </div>
          )}
          {view === 'restore' && <RestoreView queue={queue} draft={draft} onDraftChange={setDraft} options={options} onOptionsChange={setOptions} models={models} devices={devices ?? []} onCompare={compareFile} adder={adder} />}
          {view === 'compare' && <CompareView target={compareTarget} onTargetChange={setCompareTarget} snapshot={queue.snapshot} />}
          {view === 'history' && (
            <HistoryView
              refreshKey={historyKey}
              onCompare={(target) => {
                setCompareTarget(target);
                select('compare');
              }}
              onRerun={() => {
                setHistoryKey((k) => k + 1);
                select('restore');
              }}
            />
          )}
          {view === 'models' && <ModelsView models={models} />}
          {view === 'settings' && <SettingsView devices={devices} onDevicesChange={setDevices} models={models} appSettings={appSettings} onAppSettingsChange={onAppSettingsChange} />}
          {view === 'watch' && <WatchView models={models} defaultFormat={appSettings?.format ?? 'keep'} />}
        </main>
        <div className="notices" aria-live="polite">
          {notices.map((n) => (
            <div key={n.id} className={`notice ${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'} data-testid={`notice-${n.kind}`}>
              <div>
                <p>{n.message}</p>
                {n.hint && <p className="subtle small">{n.hint}</p>}
              </div>
              <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => setNotices((previous) => previous.filter((x) => x.id !== n.id))}>
                <Icon name="close" size={14} />
              </button>
            </div>
          ))}
        </div>
      </div>
    </StudioContext.Provider>
  );
}
