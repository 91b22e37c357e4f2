import { useCallback, useMemo, useState, type Dispatch, type SetStateAction } from 'react';
import type { HeirloomApi, InspectedPath } from '../../shared/contract.js';
import type { StudioContextValue } from './use-api.js';

export interface PhotoAdder {
  adding: boolean;
  /** Inspects paths (each photo's header is probed: a damaged or unsupported one comes back refused) and adds them to the draft. */
  addPaths(paths: string[]): Promise<void>;
  /** Dropped or picked files: imported by the host (uploaded in a browser), then added as paths. */
  addFiles(files: File[]): Promise<void>;
}

/** Adds photos to the Restore draft, from the buttons, a typed path, or a drop anywhere in the window. */
export function usePhotoAdder(api: HeirloomApi, notify: StudioContextValue['notify'], onDraftChange: Dispatch<SetStateAction<InspectedPath[]>>): PhotoAdder {
  const [pending, setPending] = useState(0);

  const addPaths = useCallback(
    async (paths: string[]) => {
      if (paths.length === 0) return;
      setPending((n) => n + 1);
      const result = await api.inspectFiles({ paths });
      setPending((n) => n - 1);
      if (!result.ok) return notify({ kind: 'error', message: result.error.message });
      onDraftChange((current) => {
        const known = new Set(current.map((d) => d.path));
        return [...current, ...result.value.filter((entry) => !known.has(entry.path))];
      });
    },
    [api, notify, onDraftChange],
  );

  const addFiles = useCallback(
    async (files: File[]) => {
      if (files.length === 0) return;
      setPending((n) => n + 1);
      const imported = await api.importFiles(files);
      setPending((n) => n - 1);
      for (const failure of imported.failed) notify({ kind: 'error', message: failure.error.message });
      await addPaths(imported.paths);
    },
    [api, notify, addPaths],
  );

  return useMemo(() => ({ adding: pending > 0, addPaths, addFiles }), [pending, addPaths, addFiles]);
}
