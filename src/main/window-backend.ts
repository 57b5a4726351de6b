/**
 * What main does when the window calls: the WindowApi, implemented over the core.
 *
 * Plain Node (no Electron), so the window's end-to-end test serves the very same object to
 * the real renderer in Chromium. Secrets stay here: the EmailEngine URL goes straight from
 * the core to the clipboard, and the sign-in URL straight to the browser.
 */
import type { HelpTopic, PendingSignIn, WindowApi } from '../shared/ipc-contract.js';
import type { AccountStatus } from '../shared/account-status.js';
import type { ConnectRequest, TokentrayApi } from '../shared/tokentray-api.js';
import type { SettingKey, Settings } from '../shared/settings-shape.js';

/** Plain text the window may put on the clipboard (ids, Azure values); longer is refused. */
export const MAX_COPY_TEXT_CHARS = 4096;

export interface WindowBackendPorts {
  api: Pick<TokentrayApi, 'status' | 'listAccounts' | 'removeAccount' | 'getSettings' | 'setSetting' | 'recentRequests' | 'serverUrl' | 'rotateServerSecret' | 'runDiagnostics'
    | 'emailEngineStatus' | 'emailEngineOrphans' | 'disconnectEmailEngine' | 'checkEmailEngine' | 'connectEmailEngine' | 'setClientSecret'
  >;
  signIns: {
    start(request: ConnectRequest): Promise<AccountStatus>;
    cancel(id: string): Promise<void>;
    openVerificationPage(id: string): Promise<void>;
    pending(): PendingSignIn[];
    settled(id: string): Promise<AccountStatus>;
  };
  copyText(text: string): void;
  openHelp(topic: HelpTopic): Promise<void>;
  /** Registers or removes the login item before the setting is stored. */
  applyStartAtLogin?(enabled: boolean): Promise<void>;
  /** Settings overridden by TOKENTRAY_* environment variables in this process. */
  overriddenSettings?(): SettingKey[];
}

export function createWindowBackend(ports: WindowBackendPorts): WindowApi {
  const { api } = ports;
  return {
    status: () => api.status(),
    listAccounts: () => api.listAccounts(),
    connectAccount: (request) => ports.signIns.start(request),
    cancelSignIn: (id) => ports.signIns.cancel(id),
    openDeviceCodePage: (id) => ports.signIns.openVerificationPage(id),
    pendingSignIns: async () => ports.signIns.pending(),
    awaitSignIn: (id) => ports.signIns.settled(id),
    removeAccount: (id) => api.removeAccount(id),
    getSettings: () => api.getSettings(),
    async setSetting<K extends SettingKey>(key: K, value: Settings[K]): Promise<Settings> {
      if (key === 'startAtLogin' && ports.applyStartAtLogin) await ports.applyStartAtLogin(value === true);
      return api.setSetting(key, value);
    },
    recentRequests: (limit) => api.recentRequests(limit),
    runDiagnostics: () => api.runDiagnostics(),
    emailEngineStatus: (refresh) => api.emailEngineStatus(refresh),
    emailEngineOrphans: () => api.emailEngineOrphans(),
    disconnectEmailEngine: () => api.disconnectEmailEngine(),
    checkEmailEngine: (request) => api.checkEmailEngine(request),
    connectEmailEngine: (request) => api.connectEmailEngine(request),
    setClientSecret: (provider, secret) => api.setClientSecret(provider, secret),
    async copyServerUrl() {
      ports.copyText(await api.serverUrl());
    },
    async rotateServerSecret() {
      await api.rotateServerSecret();
      ports.copyText(await api.serverUrl());
    },
    async copyText(text) {
      ports.copyText(text.slice(0, MAX_COPY_TEXT_CHARS));
    },
    openHelp: (topic) => ports.openHelp(topic),
    settingOverrides: async () => ports.overriddenSettings?.() ?? [],
  };
}
