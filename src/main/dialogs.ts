import type { BrowserWindow, OpenDialogOptions, OpenDialogReturnValue } from 'electron';
import type { DialogPort } from '../core/studio/ports.js';

const PHOTO_EXTENSIONS = ['jpg', 'jpeg', 'jpe', 'png', 'webp', 'tif', 'tiff', 'gif', 'bmp', 'heic', 'heif', 'avif'];

/** The part of Electron's dialog module used here. */
export interface DialogLike {
  showOpenDialog(window: BrowserWindow, options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
}

/** Native open dialogs, modal to the studio window. */
export function electronDialogs(dialog: DialogLike, window: () => BrowserWindow | undefined): DialogPort {
  const open = async (options: OpenDialogOptions) => {
    const parent = window();
    if (!parent) return [];
    const result = await dialog.showOpenDialog(parent, options);
    return result.canceled ? [] : result.filePaths;
  };
  return {
    openPhotos: (mode) =>
      open(
        mode === 'folder'
          ? { title: 'Add a folder of photos', properties: ['openDirectory', 'multiSelections'] }
          : { title: 'Add photos', properties: ['openFile', 'multiSelections'], filters: [{ name: 'Photos', extensions: PHOTO_EXTENSIONS }] },
      ),
    chooseFolder: async ({ title, defaultPath }) => {
      const [path] = await open({ title: title ?? 'Choose a folder', properties: ['openDirectory', 'createDirectory', 'promptToCreate'], ...(defaultPath ? { defaultPath } : {}) });
      return path ?? null;
    },
    openModelFiles: () => open({ title: 'Import a model: an .onnx file, or an NCNN .param and .bin pair', properties: ['openFile', 'multiSelections'], filters: [{ name: 'Models (ONNX, NCNN)', extensions: ['onnx', 'param', 'bin'] }] }),
  };
}
