import type { MenuItemConstructorOptions } from 'electron';

/** Where the bundled Real-ESRGAN models come from (their licence and source). */
export const MODELS_SOURCE_URL = 'https://github.com/xinntao/Real-ESRGAN';

/** The application menu: standard roles, dev tools only in development, one vetted help link. */
export function applicationMenuTemplate(options: { isMac: boolean; development: boolean; openExternal: (url: string) => void }): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }];
  if (options.development) view.unshift({ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' });
  return [
    ...(options.isMac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    { label: 'File', submenu: [options.isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'About the Real-ESRGAN models', click: () => options.openExternal(MODELS_SOURCE_URL) }] },
  ];
}
