/**
 * The one contract every shell uses: the CLI (in-process or through the running daemon), the
 * Electron main process and, through the preload, the window.
 */
import type { AccountStatus, Proto, RequestRecord, StatusReport } from './account-status.js';
import type { ScopeProfile } from './scope-profile.js';
import type { ActivityPage } from './activity.js';
import type { DiagnosticReport } from './diagnostics.js';
import type { ProviderId } from './providers.js';
import type {
  EmailEngineAccountChange,
  EmailEngineConnectRequest,
  EmailEngineConnectResult,
  EmailEngineOrphan,
  EmailEnginePreflight,
  EmailEngineRegistration,
  EmailEngineStatus,
  RemoveAccountOptions,
  RemoveAccountResult,
} from './emailengine.js';
import type { Settings, SettingKey } from './settings-shape.js';

export interface ConnectRequest {
  id: string;
  email?: string | null; // login_hint; the signed-in user must match it
  /** Default: the profile's provider, else the existing account's, else 'microsoft'. */
  provider?: ProviderId;
  profile?: ScopeProfile; // default: the provider's IMAP + SMTP profile (outlook, gmail)
  sharedMailbox?: string | null; // IMAP user for a shared mailbox
  /** Sign in with a device code (another device's browser) instead of a local browser: Microsoft only. */
  deviceCode?: boolean;
  /**
   * Overwrite an account with this id in EmailEngine that tokentray did not create. Without
   * it, connectAccount refuses before the sign-in (EMAILENGINE_ACCOUNT_CONFLICT, the changes
   * in the error's details) so the user can review what would change.
   */
  overwriteInEmailEngine?: boolean;
}

/** connectAccount's answer: the account, and what was done in EmailEngine. */
export interface ConnectedAccount extends AccountStatus {
  /** Set by the core; optional so a plain AccountStatus (older daemon, fakes) still fits. */
  emailengineRegistration?: EmailEngineRegistration;
}

/** The preview of an EmailEngine registration: what would change for an existing account. */
export interface EmailEngineRegistrationPreview {
  id: string;
  exists: boolean;
  managed: boolean; // created (or taken over) by tokentray
  changes: EmailEngineAccountChange[];
  /** Whether registering needs overwriteInEmailEngine (exists, not managed, with changes). */
  needsConfirmation: boolean;
}

export interface SignInHooks {
  /** Called once with the authorize URL; the shell opens (or prints) it. */
  onAuthorizeUrl(url: string): void | Promise<void>;
  /** Device-code sign-in: called once with where to go and the code to enter there. */
  onDeviceCode?(code: DeviceCodePrompt): void | Promise<void>;
}

export interface DeviceCodePrompt {
  verificationUri: string;
  userCode: string;
  expiresAt: number; // epoch ms
  /** The provider's own sentence ("To sign in, use a web browser to open …"), when it sends one. */
  message: string | null;
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
  connectAccount(request: ConnectRequest, hooks: SignInHooks): Promise<ConnectedAccount>;
  cancelSignIn(id: string): Promise<void>;
  /** Removes the account here, and from EmailEngine unless keepInEmailEngine (says which happened). */
  removeAccount(id: string, options?: RemoveAccountOptions): Promise<RemoveAccountResult>;
  /** A currently valid token (refreshing first when it is close to expiry). */
  getToken(id: string, proto?: Proto): Promise<TokenAnswer>;
  getSettings(): Promise<Settings>;
  setSetting<K extends SettingKey>(key: K, value: Settings[K]): Promise<Settings>;
  /** The full URL, credentials included, to paste into EmailEngine's authServer setting. */
  serverUrl(): Promise<string>;
  rotateServerSecret(): Promise<string>;
  /** Stores (or, with null, removes) an OAuth client secret in the vault: Google's only. */
  setClientSecret(provider: 'google', secret: string | null): Promise<void>;
  recentRequests(limit?: number): Promise<RequestRecord[]>;
  /** The requests recorded after cursor `after` (null: the newest `limit`), oldest first. */
  requestActivity(after?: number | null, limit?: number): Promise<ActivityPage>;
  /** Every doctor check, run by this core (`tokentray doctor`, Settings → Checks). */
  runDiagnostics(): Promise<DiagnosticReport>;

  // ---- EmailEngine ----------------------------------------------------------------------
  /** Runs the preflight against a URL + token without changing anything (nothing is stored). */
  checkEmailEngine(request: Omit<EmailEngineConnectRequest, 'replace'>): Promise<EmailEnginePreflight>;
  /**
   * Preflight, then stores URL + token in the vault, points EmailEngine's authServer here (read
   * back to confirm) and registers every tokentray account. Refuses with a named error when a
   * check fails, and with EMAILENGINE_AUTH_SERVER_ELSEWHERE unless `replace` when authServer
   * points to another server.
   */
  connectEmailEngine(request: EmailEngineConnectRequest): Promise<EmailEngineConnectResult>;
  /** Forgets URL + token. EmailEngine itself (its authServer, its accounts) is left as it is. */
  disconnectEmailEngine(): Promise<void>;
  /** The link's state; `refresh` asks EmailEngine now instead of answering from the last poll. */
  emailEngineStatus(refresh?: boolean): Promise<EmailEngineStatus>;
  /** Accounts in EmailEngine that use the auth server but are not connected here. */
  emailEngineOrphans(): Promise<EmailEngineOrphan[]>;
  /** What registering account `id` (with `profile`) in EmailEngine would change. */
  previewEmailEngineRegistration(id: string, profile?: ScopeProfile): Promise<EmailEngineRegistrationPreview>;
}
