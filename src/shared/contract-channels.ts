/**
 * The names of the contract, without its schemas: which invoke channels exist and the
 * method each one becomes on `window.heirloom`, and the same for event channels.
 * Kept apart from contract.ts so the sandboxed preload and the browser bridge can build
 * the API without bundling zod; contract.ts checks at compile time that both agree.
 */

/** Invoke channel (`domain:verb`) -> method name on the API. Renderer -> host, returns Promise<Result<T>>. */
export const INVOKE_METHODS = {
  'app:info': 'appInfo',
  'jobs:start': 'startJob',
  'jobs:cancel': 'cancelJob',
  'jobs:pause': 'pauseQueue',
  'jobs:resume': 'resumeQueue',
  'jobs:queue': 'getQueue',
  'jobs:clear-finished': 'clearFinished',
  'jobs:history': 'listHistory',
  'jobs:history-files': 'listHistoryFiles',
  'jobs:rerun': 'rerunJob',
  'jobs:continue': 'continueJob',
  'jobs:repair-again': 'repairAgain',
  'models:list': 'listModels',
  'models:overview': 'getModelsOverview',
  'models:download': 'downloadModel',
  'models:cancel-download': 'cancelModelDownload',
  'models:import': 'importModel',
  'models:remove': 'removeModel',
  'devices:list': 'listDevices',
  'settings:get': 'getDeviceSettings',
  'settings:set': 'setDeviceSettings',
  'app-settings:get': 'getAppSettings',
  'app-settings:set': 'setAppSettings',
  'watch:list': 'listWatchFolders',
  'watch:add': 'addWatchFolder',
  'watch:pause': 'pauseWatchFolder',
  'watch:resume': 'resumeWatchFolder',
  'watch:remove': 'removeWatchFolder',
  'files:inspect': 'inspectFiles',
  'dialogs:open-photos': 'openPhotosDialog',
  'dialogs:choose-folder': 'chooseFolderDialog',
  'dialogs:open-model-files': 'openModelFilesDialog',
  'shell:open-path': 'openPath',
  'farm:get': 'getFarm',
  'farm:set': 'setFarm',
  'farm:status': 'getFarmStatus',
} as const;

/** Event channel -> subscription method on the API. Host -> renderer only. */
export const EVENT_METHODS = {
  'jobs:event': 'onJobEvent',
  'jobs:queue-changed': 'onQueueChanged',
  'devices:changed': 'onDevicesChanged',
  'watch:event': 'onWatchEvent',
  'models:download': 'onModelDownload',
  'models:changed': 'onModelsChanged',
} as const;

export type InvokeChannel = keyof typeof INVOKE_METHODS;
export type EventChannel = keyof typeof EVENT_METHODS;

export const INVOKE_CHANNELS = Object.keys(INVOKE_METHODS) as InvokeChannel[];
export const EVENT_CHANNELS = Object.keys(EVENT_METHODS) as EventChannel[];

export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && Object.hasOwn(INVOKE_METHODS, value);
}

export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && Object.hasOwn(EVENT_METHODS, value);
}
