/**
 * The window's view of main: `window.tokentray` (envelopes) turned back into a WindowApi
 * that resolves with values and throws TokentrayError, rebuilt from the error data.
 */
import type { StatusReport } from '../src/shared/account-status.js';
import { unwrapIpcResult, type DeviceCodeEvent, type WindowApi, type WindowBridge, type WindowView } from '../src/shared/ipc-contract.js';

declare global {
  interface Window {
    tokentray?: WindowBridge;
  }
}

export interface WindowClient extends WindowApi {
  onStatusChanged(listener: (report: StatusReport) => void): () => void;
  onShowView(listener: (view: WindowView) => void): () => void;
  onDeviceCode(listener: (event: DeviceCodeEvent) => void): () => void;
  onSignInsChanged(listener: (ids: string[]) => void): () => void;
}

export function createWindowClient(bridge: WindowBridge): WindowClient {
  return {
    status: async () => unwrapIpcResult(await bridge.status()),
    listAccounts: async () => unwrapIpcResult(await bridge.listAccounts()),
    connectAccount: async (request) => unwrapIpcResult(await bridge.connectAccount(request)),
    cancelSignIn: async (id) => unwrapIpcResult(await bridge.cancelSignIn(id)),
    removeAccount: async (id) => unwrapIpcResult(await bridge.removeAccount(id)),
    getSettings: async () => unwrapIpcResult(await bridge.getSettings()),
    setSetting: async (key, value) => unwrapIpcResult(await bridge.setSetting(key, value)),
    recentRequests: async (limit) => unwrapIpcResult(await bridge.recentRequests(limit)),
    runDiagnostics: async () => unwrapIpcResult(await bridge.runDiagnostics()),
    emailEngineStatus: async (refresh) => unwrapIpcResult(await bridge.emailEngineStatus(refresh)),
    emailEngineOrphans: async () => unwrapIpcResult(await bridge.emailEngineOrphans()),
    disconnectEmailEngine: async () => unwrapIpcResult(await bridge.disconnectEmailEngine()),
    checkEmailEngine: async (request) => unwrapIpcResult(await bridge.checkEmailEngine(request)),
    connectEmailEngine: async (request) => unwrapIpcResult(await bridge.connectEmailEngine(request)),
    setClientSecret: async (provider, secret) => unwrapIpcResult(await bridge.setClientSecret(provider, secret)),
    copyServerUrl: async () => unwrapIpcResult(await bridge.copyServerUrl()),
    rotateServerSecret: async () => unwrapIpcResult(await bridge.rotateServerSecret()),
    copyText: async (text) => unwrapIpcResult(await bridge.copyText(text)),
    openHelp: async (topic) => unwrapIpcResult(await bridge.openHelp(topic)),
    openDeviceCodePage: async (id) => unwrapIpcResult(await bridge.openDeviceCodePage(id)),
    pendingSignIns: async () => unwrapIpcResult(await bridge.pendingSignIns()),
    awaitSignIn: async (id) => unwrapIpcResult(await bridge.awaitSignIn(id)),
    settingOverrides: async () => unwrapIpcResult(await bridge.settingOverrides()),
    onStatusChanged: (listener) => bridge.onStatusChanged(listener),
    onShowView: (listener) => bridge.onShowView(listener),
    onDeviceCode: (listener) => bridge.onDeviceCode(listener),
    onSignInsChanged: (listener) => bridge.onSignInsChanged(listener),
  };
}
