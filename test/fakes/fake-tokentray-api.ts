/**
 * An in-memory TokentrayApi with controls a test drives: sign-ins wait until the test calls
 * `completeSignIn` (or `failSignIn`), accounts can be revoked, requests recorded.
 *
 * Settings go through the core's real `validateSetting`, so bad values fail the same way.
 */
import { providerOfProfile } from '../../src/shared/providers.js';
import { validateSetting, DEFAULT_SETTINGS } from '../../src/core/storage/settings.js';
import { authorityFor } from '../../src/core/identity/microsoft/clouds.js';
import type { AccountState, AccountStatus, Proto, RequestRecord, ServerStatus, SignInReason, StatusReport } from '../../src/shared/account-status.js';
import { validateAccountId } from '../../src/shared/account-id.js';
import type { ActivityPage } from '../../src/shared/activity.js';
import type { DiagnosticReport } from '../../src/shared/diagnostics.js';
import type { SettingKey, Settings } from '../../src/shared/settings-shape.js';
import type { AccountSummary, ConnectRequest, EmailEngineRegistrationPreview, SignInHooks, TokenAnswer, TokentrayApi } from '../../src/shared/tokentray-api.js';
import {
  emailEngineNotConnected,
  type EmailEngineConnectRequest,
  type EmailEngineConnectResult,
  type EmailEngineOrphan,
  type EmailEnginePreflight,
  type EmailEngineStatus,
  type RemoveAccountOptions,
  type RemoveAccountResult,
} from '../../src/shared/emailengine.js';
import { TokentrayError } from '../../src/shared/tokentray-error.js';

export const FAKE_TOKEN_LIFETIME_MS = 60 * 60_000;

/** What the fake's device-code sign-ins hand over (expiresAt is set per sign-in). */
export const FAKE_DEVICE_CODE = {
  verificationUri: 'https://microsoft.com/devicelogin',
  userCode: 'FAKE-C0DE',
  message: 'To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FAKE-C0DE to authenticate.',
} as const;

interface PendingSignIn {
  request: ConnectRequest;
  authorizeUrl: string;
  resolve(account: AccountStatus): void;
  reject(error: unknown): void;
}

export interface FakeApiOptions {
  now?: () => number;
  settings?: Partial<Settings>;
  accounts?: AccountStatus[];
  server?: Partial<ServerStatus>;
}

export function fakeAccount(id: string, overrides: Partial<AccountStatus> = {}, now = Date.now()): AccountStatus {
  const email = overrides.email === undefined ? `${id}@contoso.com` : overrides.email;
  return {
    id,
    email,
    user: email ?? id,
    provider: 'microsoft',
    profile: 'outlook',
    state: { kind: 'active', expiresAt: now + FAKE_TOKEN_LIFETIME_MS },
    lastRequest: null,
    lastError: null,
    ...overrides,
  };
}

export class FakeTokentrayApi implements TokentrayApi {
  readonly now: () => number;
  readonly accounts = new Map<string, AccountStatus>();
  settings: Settings;
  server: ServerStatus;
  requests: RequestRecord[] = [];
  emailengine: EmailEngineStatus = emailEngineNotConnected();
  orphans: EmailEngineOrphan[] = [];
  secret = 'first-secret-0001';
  /** Every API call, in order (method name and arguments). */
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  readonly #pending = new Map<string, PendingSignIn>();
  readonly #signInWaiters = new Map<string, Array<(pending: PendingSignIn) => void>>();
  readonly #listeners = new Set<(report: StatusReport) => void>();

  constructor(options: FakeApiOptions = {}) {
    this.now = options.now ?? (() => Date.now());
    this.settings = { ...DEFAULT_SETTINGS, clientId: '11111111-2222-3333-4444-555555555555', ...options.settings };
    this.server = { running: true, url: `http://127.0.0.1:${this.settings.port}/`, error: null, ...options.server };
    for (const account of options.accounts ?? []) this.accounts.set(account.id, account);
  }

  // ---- TokentrayApi ------------------------------------------------------------------------

  async status(): Promise<StatusReport> {
    this.#record('status', []);
    return this.report();
  }

  async listAccounts(): Promise<AccountSummary[]> {
    this.#record('listAccounts', []);
    return [...this.accounts.values()].map(({ id, email, user, provider, profile }) => ({ id, email, user, provider, profile }));
  }

  async connectAccount(request: ConnectRequest, hooks: SignInHooks): Promise<AccountStatus> {
    this.#record('connectAccount', [request]);
    const problem = validateAccountId(request.id);
    if (problem) throw new TokentrayError('ACCOUNT_ID_INVALID', `Invalid account id "${request.id}": ${problem}`);
    if (this.settings.clientId === null) throw new TokentrayError('CLIENT_ID_MISSING', 'No client id is configured.');
    if (request.deviceCode === true && (request.provider === 'google' || (request.profile && providerOfProfile(request.profile) === 'google'))) {
      throw new TokentrayError('DEVICE_CODE_UNSUPPORTED', 'Google does not allow the mail scopes on its device-code flow.');
    }
    if (this.#pending.has(request.id)) throw new TokentrayError('SIGN_IN_IN_PROGRESS', `A sign-in for "${request.id}" is already open.`);
    const authorizeUrl = `${authorityFor(this.settings)}/oauth2/v2.0/authorize?client_id=${this.settings.clientId}&state=fake-${request.id}`;
    const result = new Promise<AccountStatus>((resolve, reject) => {
      this.#pending.set(request.id, { request, authorizeUrl, resolve, reject });
    });
    const pending = this.#pending.get(request.id)!;
    try {
      if (request.deviceCode === true) {
        if (!hooks.onDeviceCode) throw new TokentrayError('DEVICE_CODE_UNSUPPORTED', 'This surface cannot show a device code.');
        await hooks.onDeviceCode({ ...FAKE_DEVICE_CODE, expiresAt: this.now() + this.deviceCodeLifetimeMs });
      } else {
        await hooks.onAuthorizeUrl(authorizeUrl);
      }
    } catch (error) {
      this.#pending.delete(request.id);
      throw error;
    }
    for (const waiter of this.#signInWaiters.get(request.id) ?? []) waiter(pending);
    this.#signInWaiters.delete(request.id);
    return result;
  }

  async cancelSignIn(id: string): Promise<void> {
    this.#record('cancelSignIn', [id]);
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    pending.reject(new TokentrayError('SIGN_IN_CANCELLED', `The sign-in for "${id}" was cancelled.`));
  }

  async removeAccount(id: string, options: RemoveAccountOptions = {}): Promise<RemoveAccountResult> {
    this.#record('removeAccount', [id, options]);
    if (!this.accounts.delete(id)) throw new TokentrayError('ACCOUNT_NOT_FOUND', `No account "${id}".`);
    this.#emit();
    const emailengine: RemoveAccountResult['emailengine'] = !this.emailengine.connected ? { kind: 'not-connected' } : options.keepInEmailEngine ? { kind: 'kept' } : { kind: 'removed' };
    return { id, emailengine };
  }

  async getToken(id: string, proto: Proto = 'imap'): Promise<TokenAnswer> {
    this.#record('getToken', [id, proto]);
    const account = this.accounts.get(id);
    if (!account) throw new TokentrayError('ACCOUNT_NOT_FOUND', `No account "${id}".`);
    return { user: account.user, accessToken: `fake-access-token-for-${id}`, expiresAt: this.now() + FAKE_TOKEN_LIFETIME_MS };
  }

  async getSettings(): Promise<Settings> {
    this.#record('getSettings', []);
    return { ...this.settings };
  }

  async setSetting<K extends SettingKey>(key: K, value: Settings[K]): Promise<Settings> {
    this.#record('setSetting', [key, value]);
    this.settings = { ...this.settings, [key]: validateSetting(key, value) };
    if (key === 'port') this.server = { ...this.server, url: `http://127.0.0.1:${this.settings.port}/` };
    this.#emit();
    return { ...this.settings };
  }

  async serverUrl(): Promise<string> {
    this.#record('serverUrl', []);
    return `http://emailengine:${this.secret}@127.0.0.1:${this.settings.port}/`;
  }

  async setClientSecret(provider: 'google', secret: string | null): Promise<void> {
    this.#record('setClientSecret', [provider, secret === null ? null : '(secret)']);
    // The core's own shape check, so the window's error path can be driven.
    if (secret !== null && !/^[\x21-\x7e]{8,200}$/.test(secret.trim())) throw new TokentrayError('USAGE', 'That does not look like a Google OAuth client secret.');
    this.googleSecretSet = secret !== null;
    this.#emit();
  }

  googleSecretSet = false;
  /** How long the fake's device codes are valid. */
  deviceCodeLifetimeMs = 15 * 60_000;

  async rotateServerSecret(): Promise<string> {
    this.#record('rotateServerSecret', []);
    this.secret = `rotated-secret-${this.calls.length}`;
    return this.secret;
  }

  async recentRequests(limit = 50): Promise<RequestRecord[]> {
    this.#record('recentRequests', [limit]);
    return [...this.requests].sort((a, b) => b.at - a.at).slice(0, limit);
  }

  /** What runDiagnostics answers (tests set the checks they need). */
  diagnostics: DiagnosticReport = { checks: [], ok: true, at: 0 };

  async runDiagnostics(): Promise<DiagnosticReport> {
    this.#record('runDiagnostics', []);
    return structuredClone(this.diagnostics);
  }

  /** The cursor is the number of requests in `requests` (a fake never drops any). */
  async requestActivity(after: number | null = null, limit = 100): Promise<ActivityPage> {
    this.#record('requestActivity', [after, limit]);
    const ordered = [...this.requests].sort((a, b) => a.at - b.at);
    const start = after === null || after > ordered.length ? Math.max(0, ordered.length - limit) : after;
    return { records: ordered.slice(start).slice(-limit), cursor: ordered.length, missed: 0 };
  }
  /** The preflight the fake answers with (tests edit it to make a check fail or warn). */
  preflight(url: string): EmailEnginePreflight {
    return {
      url,
      checks: [
        { id: 'reachable', outcome: 'ok', message: 'EmailEngine answered', code: null },
        { id: 'token', outcome: 'ok', message: 'full-privilege token', code: null },
        { id: 'version', outcome: 'ok', message: 'EmailEngine 2.79.2', code: null },
        { id: 'license', outcome: 'ok', message: 'licensed', code: null },
        { id: 'auth-server', outcome: 'ok', message: 'authServer not set yet', code: null },
      ],
      version: '2.79.2',
      licensed: true,
      authServer: { kind: 'unset' },
      needsNewer: [],
      ok: true,
    };
  }

  async checkEmailEngine(request: { url: string; token: string }): Promise<EmailEnginePreflight> {
    this.#record('checkEmailEngine', [request.url]); // never the token
    return this.preflight(request.url);
  }

  async connectEmailEngine(request: EmailEngineConnectRequest): Promise<EmailEngineConnectResult> {
    this.#record('connectEmailEngine', [request.url, request.replace === true]);
    const preflight = this.preflight(request.url);
    this.emailengine = { ...emailEngineNotConnected(), connected: true, url: request.url, version: preflight.version, licensed: preflight.licensed, checkedAt: this.now() };
    for (const account of this.accounts.values()) {
      account.emailengine = { presence: 'registered', state: 'connected', lastError: null, checkedAt: this.now(), managed: true, hint: null, error: null };
    }
    this.#emit();
    return { preflight, authServer: 'set', registered: [...this.accounts.keys()], failed: [], status: { ...this.emailengine } };
  }

  async disconnectEmailEngine(): Promise<void> {
    this.#record('disconnectEmailEngine', []);
    this.emailengine = emailEngineNotConnected();
    for (const account of this.accounts.values()) account.emailengine = null;
    this.#emit();
  }

  async emailEngineStatus(refresh?: boolean): Promise<EmailEngineStatus> {
    this.#record('emailEngineStatus', [refresh]);
    return { ...this.emailengine };
  }

  async emailEngineOrphans(): Promise<EmailEngineOrphan[]> {
    this.#record('emailEngineOrphans', []);
    return structuredClone(this.orphans);
  }

  async previewEmailEngineRegistration(id: string): Promise<EmailEngineRegistrationPreview> {
    this.#record('previewEmailEngineRegistration', [id]);
    return { id, exists: false, managed: false, changes: [], needsConfirmation: false };
  }

  onChange(listener: (report: StatusReport) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- controls for tests --------------------------------------------------------------------

  report(): StatusReport {
    return structuredClone({
      accounts: [...this.accounts.values()].sort((a, b) => a.id.localeCompare(b.id)),
      server: this.server,
      emailengine: this.emailengine,
      clientSecrets: { google: this.googleSecretSet },
    });
  }

  pendingSignIns(): string[] {
    return [...this.#pending.keys()];
  }

  /** Resolves once connectAccount for `id` has called onAuthorizeUrl. */
  waitForSignIn(id: string): Promise<{ request: ConnectRequest; authorizeUrl: string }> {
    const pending = this.#pending.get(id);
    if (pending) return Promise.resolve(pending);
    return new Promise((resolve) => this.#signInWaiters.set(id, [...(this.#signInWaiters.get(id) ?? []), resolve]));
  }

  /** Finishes the browser sign-in for `id` as if the user signed in. */
  completeSignIn(id: string, options: { email?: string; lifetimeMs?: number } = {}): AccountStatus {
    const pending = this.#pending.get(id);
    if (!pending) throw new Error(`no sign-in pending for ${id}`);
    this.#pending.delete(id);
    const existing = this.accounts.get(id);
    const email = options.email ?? pending.request.email ?? existing?.email ?? `${id}@contoso.com`;
    const account: AccountStatus = {
      id,
      email,
      user: pending.request.sharedMailbox ?? email,
      provider: pending.request.provider ?? (pending.request.profile ? providerOfProfile(pending.request.profile) : existing?.provider ?? 'microsoft'),
      profile: pending.request.profile ?? existing?.profile ?? (pending.request.provider === 'google' ? 'gmail' : 'outlook'),
      state: { kind: 'active', expiresAt: this.now() + (options.lifetimeMs ?? FAKE_TOKEN_LIFETIME_MS) },
      lastRequest: existing?.lastRequest ?? null,
      lastError: null,
    };
    this.accounts.set(id, account);
    this.#emit();
    pending.resolve(structuredClone(account));
    return account;
  }

  failSignIn(id: string, error: TokentrayError): void {
    const pending = this.#pending.get(id);
    if (!pending) throw new Error(`no sign-in pending for ${id}`);
    this.#pending.delete(id);
    pending.reject(error);
  }

  /** The refresh token stopped working (e.g. the password changed). */
  revoke(id: string, reason: SignInReason = { code: 'AADSTS50173', summary: 'password changed' }): void {
    this.#update(id, {
      state: { kind: 'needs-sign-in', reason },
      lastError: { code: 'NEEDS_SIGN_IN', message: `The refresh token was revoked (${reason.code}: ${reason.summary}).`, at: this.now() },
    });
  }

  setState(id: string, state: AccountState): void {
    this.#update(id, { state });
  }

  addAccount(account: AccountStatus): void {
    this.accounts.set(account.id, account);
    this.#emit();
  }

  recordRequest(request: Partial<RequestRecord> & { account: string }): RequestRecord {
    const record: RequestRecord = { at: this.now(), proto: 'imap', outcome: 'ok', status: 200, latencyMs: 3, client: '127.0.0.1', ...request };
    this.requests.push(record);
    const account = this.accounts.get(record.account);
    if (account) this.accounts.set(account.id, { ...account, lastRequest: record });
    this.#emit();
    return record;
  }

  setServer(server: Partial<ServerStatus>): void {
    this.server = { ...this.server, ...server };
    this.#emit();
  }

  #update(id: string, patch: Partial<AccountStatus>): void {
    const account = this.accounts.get(id);
    if (!account) throw new Error(`no account ${id}`);
    this.accounts.set(id, { ...account, ...patch });
    this.#emit();
  }

  #record(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
  }

  #emit(): void {
    const report = this.report();
    for (const listener of this.#listeners) listener(report);
  }
}

/** The fake API plus the core's lifecycle (what openCore returns). */
export class FakeTokentrayCore extends FakeTokentrayApi {
  startCalls = 0;
  closeCalls = 0;
  /** When set, start() fails with it (and the server is reported stopped). */
  startError: TokentrayError | null = null;

  async start(): Promise<void> {
    this.startCalls += 1;
    if (this.startError) {
      this.server = { running: false, url: null, error: null };
      throw this.startError;
    }
  }

  async close(): Promise<void> {
    this.closeCalls += 1;
  }
}
