import { useCallback, useEffect, useState } from 'react';
import type { HeirloomApi, ModelDownloadView } from '../../shared/contract.js';
import type { StudioContextValue } from './use-api.js';

export interface ModelDownloadsState {
  /** The latest state of each download of this run, by model id. */
  byId: ReadonlyMap<string, ModelDownloadView>;
  start(id: string, options?: { trustUnverified?: boolean }): Promise<void>;
  cancel(id: string): Promise<void>;
}

/** The host's model downloads, live (models:download events), for the Models screen and the Restore screen's face-model offer. */
export function useModelDownloads(api: HeirloomApi, notify: StudioContextValue['notify'], initial?: readonly ModelDownloadView[]): ModelDownloadsState {
  const [byId, setById] = useState<ReadonlyMap<string, ModelDownloadView>>(() => new Map((initial ?? []).map((d) => [d.id, d])));
  const put = useCallback((view: ModelDownloadView) => setById((current) => new Map(current).set(view.id, view)), []);

  useEffect(() => api.onModelDownload(put), [api, put]);
  // A fresh overview adds the downloads this page has not heard of; for the others the events
  // already received are as new as its snapshot, or newer.
  useEffect(() => {
    if (initial) setById((current) => new Map([...initial.map((d): [string, ModelDownloadView] => [d.id, d]), ...current]));
  }, [initial]);

  const start = useCallback(
    async (id: string, options: { trustUnverified?: boolean } = {}) => {
      const result = await api.downloadModel({ id, ...options });
      // No state from the reply: the host sends a models:download event before it replies, and
      // later ones (installed, failed) may land first, which a 'downloading' reply would undo.
      if (!result.ok) notify({ kind: 'error', message: result.error.message });
    },
    [api, notify],
  );

  const cancel = useCallback(
    async (id: string) => {
      const result = await api.cancelModelDownload({ id });
      if (!result.ok) return notify({ kind: 'error', message: result.error.message });
      put(result.value);
    },
    [api, notify, put],
  );

  return { byId, start, cancel };
}
