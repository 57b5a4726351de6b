/**
 * The one contract every shell uses: the CLI (in-process or through the running daemon), the
 * Electron main process and, through the preload, the window.
 */
import type { AccountStatus, Proto, RequestRecord, ScopeProfile, StatusReport } from './account-status.js';
import type { ActivityPage } from './activity.js';
import type { DiagnosticReport } from './diagnostics.js';
import type { ProviderId } from './providers.js';
import type { Settings, SettingKey } from './settings-shape.js';

export interface ConnectRequest {
  id: string;
  email?: string | null; // login_hint; the signed-in user must match it
  /** Default: the profile's provider, else the existing account's, else 'microsoft'. */
  provider?: ProviderId;
  profile?: ScopeProfile; // default: the provider's IMAP + SMTP profile (outlook, gmail)
  sharedMailbox?: string | null; // IMAP user for a shared mailbox
}

export interface SignInHooks {
  /** Called once with the authorize URL; the shell opens (or prints) it. */
  onAuthorizeUrl(url: string): void | Promise<void>;
}

export interface TokenAnswer {
  user: string;
  accessToken: string;
  expiresAt: number; // epoch ms
}

export interface AccountSummary {
  id: string;
  email: string | null;
  user: string;
  provider: ProviderId;
  profile: ScopeProfile;
}

export interface TokentrayApi {
  status(): Promise<StatusReport>;
  listAccounts(): Promise<AccountSummary[]>;
  /** Connects a new account, or signs an existing one in again (same id, same identity). */
  connectAccount(request: ConnectRequest, hooks: SignInHooks): Promise<AccountStatus>;
  cancelSignIn(id: string): Promise<void>;
  removeAccount(id: string): Promise<void>;
  /** A currently valid token (refreshing first when it is close to expiry). */
  getToken(id: string, proto?: Proto): Promise<TokenAnswer>;
  getSettings(): Promise<Settings>;
  setSetting<K extends SettingKey>(key: K, value: Settings[K]): Promise<Settings>;
  /** The full URL, credentials included, to paste into EmailEngine's authServer setting. */
  serverUrl(): Promise<string>;
  rotateServerSecret(): Promise<string>;
  recentRequests(limit?: number): Promise<RequestRecord[]>;
  /** The requests recorded after cursor `after` (null: the newest `limit`), oldest first. */
  requestActivity(after?: number | null, limit?: number): Promise<ActivityPage>;
  /** Every doctor check, run by this core (`tokentray doctor`, Settings → Checks). */
  runDiagnostics(): Promise<DiagnosticReport>;
}
