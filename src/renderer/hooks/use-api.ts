import { createContext, useContext } from 'react';
import type { AppInfo, HeirloomApi } from '../../shared/contract.js';

export interface StudioContextValue {
  api: HeirloomApi;
  info: AppInfo;
  /** Shows a message in the notice area (errors stay until dismissed). */
  notify(notice: { kind: 'error' | 'info'; message: string; hint?: string }): void;
}

export const StudioContext = createContext<StudioContextValue | null>(null);

export function useStudioContext(): StudioContextValue {
  const value = useContext(StudioContext);
  if (!value) throw new Error('useStudioContext needs <StudioContext.Provider>.');
  return value;
}
