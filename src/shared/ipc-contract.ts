/**
 * The one typed contract between the Electron main process, the preload and the window.
 *
 * The window gets a narrowed TokentrayApi: the pass-through methods keep their exact
 * signatures, `connectAccount` loses its hooks (main opens the browser itself), and the
 * secret-bearing calls are replaced by actions done in main (`copyServerUrl`,
 * `rotateServerSecret` copy the URL to the clipboard instead of returning it). `getToken` is
 * not part of it at all: the window shows state and never holds a token or a secret.
 *
 * Every call answers with an `IpcResult` envelope, so a TokentrayError crosses IPC (and the
 * context bridge, which drops custom Error properties) as plain `toJSON()` data and is rebuilt
 * on the window's side by `unwrapIpcResult`.
 */
import type { AccountStatus, StatusReport } from './account-status.js';
import type { ScopeProfile } from './scope-profile.js';
import type { ConnectRequest, DeviceCodePrompt, TokentrayApi } from './tokentray-api.js';
import type { SettingKey } from './settings-shape.js';
import { TokentrayError } from './tokentray-error.js';

/** TokentrayApi methods the window calls with their original signature. */
export type PassThroughMethod =
  | 'status'
  | 'listAccounts'
  | 'cancelSignIn'
  | 'removeAccount'
  | 'getSettings'
  | 'setSetting'
  | 'recentRequests'
  | 'runDiagnostics'
  | 'emailEngineStatus'
  | 'emailEngineOrphans'
  | 'disconnectEmailEngine'
  // The EmailEngine API token the user is typing goes from the field through main into the
  // core (preflight, or the vault on connect) and is never sent back to the window.
  | 'checkEmailEngine'
  | 'connectEmailEngine'
  // Write-only: the Google client secret goes from its password field into the vault; the
  // window learns only whether one is set (StatusReport.clientSecrets).
  | 'setClientSecret';

/** Help pages the window may open; main maps each to one fixed URL (see external-urls.ts). */
export const HELP_TOPICS = ['register-app', 'imap-smtp-oauth', 'graph-mail-permissions', 'google-credentials', 'google-token-expiry'] as const;
export type HelpTopic = (typeof HELP_TOPICS)[number];

/** The window's sections; main can ask the window to show one (tray "Connect account…"). */
export const WINDOW_VIEWS = ['accounts', 'connect', 'settings', 'activity'] as const;
export type WindowView = (typeof WINDOW_VIEWS)[number];

/** What the window may ask of the main process. */
export interface WindowApi extends Pick<TokentrayApi, PassThroughMethod> {
  /**
   * Signs in in the system browser (opened by main), or with `deviceCode` on another device
   * (the code arrives as a `deviceCode` event); resolves when the account is active.
   */
  connectAccount(request: ConnectRequest): Promise<AccountStatus>;
  /** Opens the verification page of the device-code sign-in waiting for `id` (main holds its URL). */
  openDeviceCodePage(id: string): Promise<void>;
  /**
   * The sign-ins main has under way, whoever started them: a window opened while one waits
   * (the one that started it was closed) shows it again, with its code.
   */
  pendingSignIns(): Promise<PendingSignIn[]>;
  /** Settles as the sign-in under way for `id` does (SIGN_IN_CANCELLED when none is). */
  awaitSignIn(id: string): Promise<AccountStatus>;
  /** Puts the full auth-server URL (with its secret) on the clipboard without showing it. */
  copyServerUrl(): Promise<void>;
  /** Rotates the auth-server secret and puts the new full URL on the clipboard. */
  rotateServerSecret(): Promise<void>;
  /** Plain, non-secret text (an account id, an Azure value from the setup guide). */
  copyText(text: string): Promise<void>;
  openHelp(topic: HelpTopic): Promise<void>;
  /** Settings an environment variable (TOKENTRAY_*) overrides: the window notes them beside the field. */
  settingOverrides(): Promise<SettingKey[]>;
}

export type WindowMethod = keyof WindowApi;

/** Channel names, one per method; the key set is checked against WindowApi by the compiler. */
export const IPC_CHANNELS = {
  status: 'tokentray:status',
  listAccounts: 'tokentray:list-accounts',
  connectAccount: 'tokentray:connect-account',
  cancelSignIn: 'tokentray:cancel-sign-in',
  removeAccount: 'tokentray:remove-account',
  getSettings: 'tokentray:get-settings',
  setSetting: 'tokentray:set-setting',
  recentRequests: 'tokentray:recent-requests',
  runDiagnostics: 'tokentray:run-diagnostics',
  emailEngineStatus: 'tokentray:emailengine-status',
  emailEngineOrphans: 'tokentray:emailengine-orphans',
  disconnectEmailEngine: 'tokentray:emailengine-disconnect',
  checkEmailEngine: 'tokentray:emailengine-check',
  connectEmailEngine: 'tokentray:emailengine-connect',
  setClientSecret: 'tokentray:set-client-secret',
  copyServerUrl: 'tokentray:copy-server-url',
  rotateServerSecret: 'tokentray:rotate-server-secret',
  copyText: 'tokentray:copy-text',
  openHelp: 'tokentray:open-help',
  settingOverrides: 'tokentray:setting-overrides',
  openDeviceCodePage: 'tokentray:open-device-code-page',
  pendingSignIns: 'tokentray:pending-sign-ins',
  awaitSignIn: 'tokentray:await-sign-in',
} as const satisfies Record<WindowMethod, `tokentray:${string}`>;

export const WINDOW_METHODS = Object.keys(IPC_CHANNELS) as WindowMethod[];

/** Events main sends to the window. */
export const IPC_EVENTS = {
  statusChanged: 'tokentray:status-changed',
  showView: 'tokentray:show-view',
  deviceCode: 'tokentray:device-code',
  /** The ids of the sign-ins main has under way, whoever started them, after each change. */
  signInsChanged: 'tokentray:sign-ins-changed',
} as const;

/** A sign-in under way: in the system browser (`deviceCode` null), or waiting for a code entered elsewhere. */
export interface PendingSignIn {
  id: string;
  /** As the sign-in was asked for (neither is a secret): the window shows them again. */
  email: string | null;
  profile: ScopeProfile | null;
  sharedMailbox: string | null;
  /** Null until the identity provider has handed the code over, and for browser sign-ins. */
  deviceCode: DeviceCodePrompt | null;
  /** Whether it is a device-code sign-in (its code may still be on its way). */
  withCode: boolean;
}

/** Where to go and what to enter for the device-code sign-in of account `id`. */
export interface DeviceCodeEvent {
  id: string;
  prompt: DeviceCodePrompt;
}

export interface IpcEventPayloads {
  [IPC_EVENTS.statusChanged]: StatusReport;
  [IPC_EVENTS.showView]: WindowView;
  [IPC_EVENTS.deviceCode]: DeviceCodeEvent;
  [IPC_EVENTS.signInsChanged]: string[];
}

export type IpcRequest<M extends WindowMethod> = Parameters<WindowApi[M]>;
export type IpcResponse<M extends WindowMethod> = Awaited<ReturnType<WindowApi[M]>>;

export type IpcErrorData = ReturnType<TokentrayError['toJSON']>;
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcErrorData };

/** `window.tokentray` as the preload exposes it: named functions answering envelopes. */
export type WindowBridge = {
  readonly [M in WindowMethod]: (...args: IpcRequest<M>) => Promise<IpcResult<IpcResponse<M>>>;
} & {
  onStatusChanged(listener: (report: StatusReport) => void): () => void;
  onShowView(listener: (view: WindowView) => void): () => void;
  onDeviceCode(listener: (event: DeviceCodeEvent) => void): () => void;
  onSignInsChanged(listener: (ids: string[]) => void): () => void;
};

export function unwrapIpcResult<T>(result: IpcResult<T>): T {
  if (result.ok) return result.value;
  throw TokentrayError.fromJSON(result.error);
}

export function isWindowView(value: unknown): value is WindowView {
  return typeof value === 'string' && (WINDOW_VIEWS as readonly string[]).includes(value);
}

export function isDeviceCodeEvent(value: unknown): value is DeviceCodeEvent {
  if (typeof value !== 'object' || value === null) return false;
  const { id, prompt } = value as Record<string, unknown>;
  if (typeof id !== 'string' || typeof prompt !== 'object' || prompt === null) return false;
  const { verificationUri, userCode, expiresAt, message } = prompt as Record<string, unknown>;
  return typeof verificationUri === 'string' && typeof userCode === 'string' && typeof expiresAt === 'number' && (message === null || typeof message === 'string');
}

export function isIdList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((id) => typeof id === 'string');
}

export function isHelpTopic(value: unknown): value is HelpTopic {
  return typeof value === 'string' && (HELP_TOPICS as readonly string[]).includes(value);
}

/** The request that signs an existing account in again, with the same identity, profile and mailbox. */
export function reSignInRequest(account: AccountStatus): ConnectRequest {
  const sharedMailbox = account.email !== null && account.user !== account.email ? account.user : null;
  return { id: account.id, email: account.email, profile: account.profile, sharedMailbox };
}
