/**
 * Builds `window.tokentray`: one named function per IPC contract method, and the event
 * subscriptions. Never hands out ipcRenderer itself, and never passes the IPC event object
 * (which reaches back to ipcRenderer) to the page.
 *
 * Plain module with the ipcRenderer passed in, so tests can run it without Electron.
 */
import {
  IPC_CHANNELS,
  IPC_EVENTS,
  isDeviceCodeEvent,
  isIdList,
  isWindowView,
  type DeviceCodeEvent,
  type IpcRequest,
  type IpcResponse,
  type IpcResult,
  type WindowBridge,
  type WindowMethod,
  type WindowView,
} from '../shared/ipc-contract.js';
import type { StatusReport } from '../shared/account-status.js';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createBridge(ipc: IpcRendererLike): WindowBridge {
  const call =
    <M extends WindowMethod>(method: M) =>
    async (...args: IpcRequest<M>): Promise<IpcResult<IpcResponse<M>>> => {
      try {
        return (await ipc.invoke(IPC_CHANNELS[method], ...args)) as IpcResult<IpcResponse<M>>;
      } catch {
        // Only a refused sender or a missing handler gets here: answer like any other failure.
        return {
          ok: false,
          error: { code: 'INTERNAL', message: `tokentray did not answer ${method}.`, hint: 'Close this window and open it again from the tray.', details: {} },
        };
      }
    };
  const subscribe = <T>(channel: string, accept: (payload: unknown) => payload is T, listener: (payload: T) => void): (() => void) => {
    const handler = (_event: unknown, payload: unknown): void => {
      if (accept(payload)) listener(payload);
    };
    ipc.on(channel, handler);
    return () => {
      ipc.removeListener(channel, handler);
    };
  };
  const isReport = (payload: unknown): payload is StatusReport => typeof payload === 'object' && payload !== null && 'accounts' in payload;

  const bridge: WindowBridge = {
    status: call('status'),
    listAccounts: call('listAccounts'),
    connectAccount: call('connectAccount'),
    cancelSignIn: call('cancelSignIn'),
    removeAccount: call('removeAccount'),
    getSettings: call('getSettings'),
    settingOverrides: call('settingOverrides'),
    setSetting: call('setSetting'),
    recentRequests: call('recentRequests'),
    runDiagnostics: call('runDiagnostics'),
    emailEngineStatus: call('emailEngineStatus'),
    emailEngineOrphans: call('emailEngineOrphans'),
    disconnectEmailEngine: call('disconnectEmailEngine'),
    checkEmailEngine: call('checkEmailEngine'),
    connectEmailEngine: call('connectEmailEngine'),
    setClientSecret: call('setClientSecret'),
    copyServerUrl: call('copyServerUrl'),
    rotateServerSecret: call('rotateServerSecret'),
    copyText: call('copyText'),
    openHelp: call('openHelp'),
    openDeviceCodePage: call('openDeviceCodePage'),
    pendingSignIns: call('pendingSignIns'),
    awaitSignIn: call('awaitSignIn'),
    onStatusChanged: (listener) => subscribe(IPC_EVENTS.statusChanged, isReport, listener),
    onShowView: (listener) => subscribe<WindowView>(IPC_EVENTS.showView, isWindowView, listener),
    onDeviceCode: (listener) => subscribe<DeviceCodeEvent>(IPC_EVENTS.deviceCode, isDeviceCodeEvent, listener),
    onSignInsChanged: (listener) => subscribe<string[]>(IPC_EVENTS.signInsChanged, isIdList, listener),
  };
  return Object.freeze(bridge);
}
