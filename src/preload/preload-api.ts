import { buildContractApi } from '../shared/contract-client.js';
import type { DroppedFile, HeirloomApi, ImportedFiles } from '../shared/contract.js';
import type { Result } from '../shared/result.js';

/** The parts of ipcRenderer and webUtils the preload uses (fakes in tests). */
export interface IpcRendererLike {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

export interface WebUtilsLike {
  getPathForFile(file: never): string;
}

/**
 * window.heirloom in Electron: one function per contract entry over IPC (the channel is
 * fixed inside each; there is no generic send), plus the real paths of dropped files.
 */
export function createPreloadApi(ipc: IpcRendererLike, webUtils: WebUtilsLike): HeirloomApi {
  const contract = buildContractApi({
    invoke: (channel, payload) => ipc.invoke(channel, payload) as Promise<Result<unknown>>,
    subscribe(channel, listener) {
      const handler = (_event: unknown, payload: unknown) => listener(payload);
      ipc.on(channel, handler);
      return () => {
        ipc.removeListener(channel, handler);
      };
    },
  });
  async function importFiles(files: readonly DroppedFile[]): Promise<ImportedFiles> {
    const result: ImportedFiles = { paths: [], failed: [] };
    for (const file of files) {
      const path = webUtils.getPathForFile(file as never);
      if (path) result.paths.push(path);
      else result.failed.push({ name: file.name, error: { code: 'NOT_FOUND', message: `${file.name} is not a file on disk (it may come from another app or a web page). Save it to a folder first, then add it.` } });
    }
    return result;
  }
  return Object.freeze({ ...contract, host: 'electron' as const, importFiles });
}
