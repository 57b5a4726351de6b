/**
 * The core's implementation of the TokentrayApi: accounts, sign-in, tokens, settings, status.
 *
 * Both shells call exactly these functions: the CLI (in-process, or through the running
 * daemon's control channel) and the Electron main process (and through it, the window).
 */
import type { AccountState, AccountStatus, Proto, RequestRecord, StatusReport } from '../shared/account-status.js';
import type { ScopeProfile } from '../shared/scope-profile.js';
import { accountIdForLog, accountIdForShell, deleteOwnValue, ownValue, quoteAccountId, setOwnValue, validateAccountId } from '../shared/account-id.js';
import type { ActivityPage } from '../shared/activity.js';
import type { DiagnosticReport } from '../shared/diagnostics.js';
import type { Settings, SettingKey } from '../shared/settings-shape.js';
import { TokentrayError, isTokentrayError } from '../shared/tokentray-error.js';
import type { AccountSummary, ConnectRequest, ConnectedAccount, EmailEngineRegistrationPreview, SignInHooks, TokenAnswer } from '../shared/tokentray-api.js';
import {
  type AccountEmailEngineView,
  type EmailEngineConnectRequest,
  type EmailEngineConnectResult,
  type EmailEngineOrphan,
  type EmailEnginePreflight,
  type EmailEngineStatus,
  type RemoveAccountOptions,
  type RemoveAccountResult,
  type EmailEngineRegistration,
} from '../shared/emailengine.js';
import { emailEngineHint } from '../shared/emailengine-hints.js';
import type { RegistrationInput } from './emailengine/account-registration.js';
import { registrationInput, type EmailEngineLink } from './emailengine/emailengine-link.js';
import type { AuthServerCredentials } from './auth-server/index.js';
import { providerOfRecord } from './identity/account-provider.js';
import type { IdentityProviders, TokenResult } from './identity/identity-provider.js';
import type { Logger } from './logging/logger.js';
import { PROVIDER_LABELS, profilesOf, providerOfProfile, type ProviderId } from '../shared/providers.js';
import { SignInSession, type PendingSignIn } from './identity/interactive-sign-in.js';
import { DeviceCodeSession } from './identity/device-code-session.js';
import { signInTargetFor } from './identity/sign-in-target.js';
import type { SettingsStore } from './storage/settings.js';
import { SIGN_IN_ERROR_PAGE, SIGN_IN_SUCCESS_PAGE } from './identity/sign-in-pages.js';
import type { TokenBroker } from './broker/token-broker.js';
import type { AccountRecord, SignInTarget, Vault } from './storage/vault.js';
import type { TokentrayCore } from './tokentray-core.js';

/** How long start() waits for every account's token to be loaded before reporting ready. */
const WARM_UP_WAIT_MS = 10_000;
/** How soon listeners (tray, window) hear of a state change, and of a request served. */
const STATE_CHANGE_NOTIFY_MS = 50;
const REQUEST_NOTIFY_MS = 1_000;
/** How often a daemon whose auth-server port was taken tries it again (the tray app stays up). */
export const SERVER_RETRY_MS = 15_000;
const MAX_SHARED_MAILBOX_LENGTH = 256; // EmailEngine's limit on "user"
/** Printable, no spaces; Google's are "GOCSPX-" + 28 characters, older ones 24 characters. */
const CLIENT_SECRET = /^[\x21-\x7e]{8,200}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export interface AuthServerControl {
  /** Starts (or restarts, after a settings change) the auth server. */
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): StatusReport['server'];
  latestRequestFor(accountId: string): RequestRecord | null;
  recentRequests(limit: number): RequestRecord[];
  requestsSince(after: number | null, limit: number): ActivityPage;
}

export interface ServiceDependencies {
  vault: Vault;
  settings: SettingsStore;
  broker: TokenBroker;
  providers: IdentityProviders;
  /** Called when settings that shape an identity provider's client change. */
  resetProviders(): void;
  server: AuthServerControl | null; // null for one-shot CLI commands
  generateCredentials(): AuthServerCredentials;
  formatServerUrl(credentials: AuthServerCredentials, settings: Settings, running: string | null): string;
  /** Runs every doctor check from inside this core (keychain, vault, identity, port, accounts). */
  diagnose?: () => Promise<DiagnosticReport>;
  logger: Logger;
  /** The link to EmailEngine (accounts follow tokentray's there). */
  emailengine: EmailEngineLink;
  now?: () => number;
  /** How often to try a taken port again (SERVER_RETRY_MS). */
  serverRetryMs?: number;
}

/** The sign-in target to record on a new record (none for providers that record none yet). */
function signedInWithFor(provider: ProviderId, settings: Settings): { signedInWith?: SignInTarget } {
  const target = signInTargetFor(provider, settings);
  return target ? { signedInWith: target } : {};
}

function checkAccountId(id: string): void {
  const problem = validateAccountId(id);
  if (problem) throw new TokentrayError('ACCOUNT_ID_INVALID', `${accountIdForLog(id.slice(0, 80))} is not a valid account id: ${problem}`);
}

function isPortTaken(error: unknown): boolean {
  return isTokentrayError(error) && (error.code === 'PORT_IN_USE' || error.code === 'PORT_HELD_BY_OTHER_USER');
}

export class TokentrayService implements TokentrayCore {
  readonly #deps: ServiceDependencies;
  readonly #now: () => number;
  readonly #signIns = new Map<string, PendingSignIn>();
  readonly #listeners = new Set<(report: StatusReport) => void>();
  #notifyTimer: NodeJS.Timeout | null = null;
  #notifyDue = 0;
  #closed = false;
  #serverRetry: NodeJS.Timeout | null = null;

  constructor(deps: ServiceDependencies) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    for (const record of Object.values(deps.vault.document.accounts)) deps.broker.upsert(record);
  }

  // ---- lifecycle ------------------------------------------------------------------------

  async start(): Promise<void> {
    const { broker, server } = this.#deps;
    await this.#ensureServerCredentials();
    broker.startRefresher();
    // The server starts first (EmailEngine may already be calling; its requests share the
    // warm-up's refreshes). If it cannot (port taken), tokens are still kept fresh and the
    // failure is reported: it is tried again every SERVER_RETRY_MS, and a port change starts it at once.
    let serverError: unknown = null;
    if (server) await this.#startServer(server).catch((error: unknown) => (serverError = error));
    // Do not let a slow identity provider hold up the start.
    const warmUp = broker.warmUp().then(() => this.notifyChanged());
    // The auth server may listen elsewhere than last time (a port from the environment, port
    // 0): EmailEngine's authServer follows, if it still points to this tokentray.
    const followed = server && !serverError ? this.#deps.emailengine.syncAuthServer() : Promise.resolve();
    if (server) this.#deps.emailengine.startPolling();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([warmUp, followed]), new Promise<void>((resolve) => (timer = setTimeout(resolve, WARM_UP_WAIT_MS)))]);
    clearTimeout(timer);
    if (serverError) throw serverError;
  }

  /**
   * The port was taken (another program, or another user's): tried again now and then, so the
   * tray app takes its port back by itself once that program is gone, with a new secret if
   * another user held it. A settings change (host, port) restarts the server at once anyway.
   */
  #retryServerLater(server: AuthServerControl): void {
    if (this.#serverRetry || this.#closed) return;
    this.#serverRetry = setTimeout(() => {
      this.#serverRetry = null;
      if (this.#closed || server.status().running) return;
      this.#startServer(server).then(
        async () => {
          this.#deps.logger.info('auth server started: its port is free again');
          await this.#deps.emailengine.syncAuthServer();
          this.notifyChanged();
        },
        () => this.notifyChanged(), // tried again later, when the port is still taken
      );
    }, this.#deps.serverRetryMs ?? SERVER_RETRY_MS);
    this.#serverRetry.unref();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#serverRetry) clearTimeout(this.#serverRetry);
    for (const session of this.#signIns.values()) await session.end('cancelled');
    this.#deps.broker.stopRefresher();
    this.#deps.emailengine.stopPolling();
    await this.#deps.server?.stop();
    await this.#deps.broker.settle();
    await this.#deps.vault.flush();
    if (this.#notifyTimer) clearTimeout(this.#notifyTimer);
  }

  onChange(listener: (report: StatusReport) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Debounced: a burst of state changes becomes one status report. */
  notifyChanged(): void {
    this.#notifyWithin(STATE_CHANGE_NOTIFY_MS);
  }

  /**
   * A request was served: only the accounts' "last request" changed. That can wait a second,
   * and must: under EmailEngine's bursts (thousands a second) a report every 50 ms would
   * rebuild every account's status 20 times a second for no one to read.
   */
  notifyRequestServed(): void {
    this.#notifyWithin(REQUEST_NOTIFY_MS);
  }

  #notifyWithin(delayMs: number): void {
    if (this.#listeners.size === 0) return;
    const due = Date.now() + delayMs;
    if (this.#notifyTimer) {
      if (this.#notifyDue <= due) return; // already coming soon enough
      clearTimeout(this.#notifyTimer);
    }
    this.#notifyDue = due;
    this.#notifyTimer = setTimeout(() => {
      this.#notifyTimer = null;
      void this.status().then((report) => {
        for (const listener of this.#listeners) listener(report);
      });
    }, delayMs);
    this.#notifyTimer.unref();
  }

  // ---- accounts -------------------------------------------------------------------------

  async listAccounts(): Promise<AccountSummary[]> {
    return Object.values(this.#deps.vault.document.accounts)
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((record) => ({
        id: record.id,
        email: record.username,
        user: record.sharedMailbox ?? record.username,
        provider: providerOfRecord(record),
        profile: record.profile,
      }));
  }

  async connectAccount(request: ConnectRequest, hooks: SignInHooks): Promise<ConnectedAccount> {
    const id = request.id;
    checkAccountId(id);
    const settings = this.#deps.settings.read();
    const existing: AccountRecord | undefined = ownValue(this.#deps.vault.document.accounts, id);
    const providerId: ProviderId =
      request.provider ?? (request.profile ? providerOfProfile(request.profile) : existing ? providerOfRecord(existing) : 'microsoft');
    const profile = request.profile ?? existing?.profile ?? profilesOf(providerId)[0]!;
    if (providerOfProfile(profile) !== providerId) {
      throw new TokentrayError('USAGE', `The ${profile} profile is not a ${PROVIDER_LABELS[providerId]} profile.`, {
        hint: `Use --profile ${profilesOf(providerId).join(' or ')} with --provider ${providerId}.`,
      });
    }
    if (existing && providerOfRecord(existing) !== providerId) {
      throw new TokentrayError('ACCOUNT_EXISTS', `Account ${quoteAccountId(id)} already exists as a ${PROVIDER_LABELS[providerOfRecord(existing)]} account.`, {
        hint: `Remove it first (\`tokentray account remove ${accountIdForShell(id)}\`) to connect it with another provider.`,
      });
    }
    const provider = this.#deps.providers(providerId);
    if (request.deviceCode === true && !provider.offersDeviceCode) {
      throw new TokentrayError('DEVICE_CODE_UNSUPPORTED', `${provider.label} does not allow the mail scopes on its device-code flow.`);
    }
    provider.requireConfigured();
    if (existing && request.profile && request.profile !== existing.profile) {
      throw new TokentrayError('ACCOUNT_EXISTS', `Account ${quoteAccountId(id)} already exists with the ${existing.profile} profile.`, {
        hint: `Remove it first (\`tokentray account remove ${accountIdForShell(id)}\`) to connect it with another profile.`,
      });
    }
    const email = request.email?.trim() || null;
    if (email && !EMAIL.test(email)) {
      throw new TokentrayError('USAGE', `"${email.slice(0, 80)}" is not an email address.`, { hint: `Give the ${PROVIDER_LABELS[providerId]} address you sign in with, or leave it out.` });
    }
    const sharedMailbox = request.sharedMailbox === undefined ? existing?.sharedMailbox ?? null : request.sharedMailbox?.trim() || null;
    if (sharedMailbox && (!EMAIL.test(sharedMailbox) || sharedMailbox.length > MAX_SHARED_MAILBOX_LENGTH)) {
      throw new TokentrayError('USAGE', `"${sharedMailbox.slice(0, 80)}" is not a mailbox address.`, { hint: 'Give the shared mailbox address, e.g. sales@contoso.com.' });
    }
    await this.#deps.vault.ensureWritable();
    // Before the browser sign-in: refuse to overwrite an EmailEngine account tokentray did not
    // create unless confirmed, so the user reviews the changes before spending a sign-in.
    const overwrite = request.overwriteInEmailEngine === true;
    await this.#deps.emailengine.assertMayRegister(
      registrationInput({ id, profile, username: existing?.username ?? email ?? '', sharedMailbox }, settings),
      overwrite,
      { lenient: true },
    );
    if (this.#signIns.has(id)) throw new TokentrayError('SIGN_IN_IN_PROGRESS', `A sign-in for ${quoteAccountId(id)} is already open.`);

    const client = provider.client();
    const deviceCode = request.deviceCode === true ? client.acquireByDeviceCode?.bind(client) : undefined;
    if (request.deviceCode === true && (!deviceCode || !hooks.onDeviceCode)) {
      throw new TokentrayError('DEVICE_CODE_UNSUPPORTED', `${provider.label} does not offer device-code sign-in for this account.`, {
        ...(providerId === 'microsoft' ? { hint: 'This surface cannot show a device code; use the command line: `tokentray account add <id> --device-code`.' } : {}),
      });
    }
    const session = deviceCode ? new DeviceCodeSession() : new SignInSession();
    this.#signIns.set(id, session);
    const timeout = setTimeout(() => void session.end('timeout'), settings.signInTimeoutSeconds * 1000);
    const loginHint = email ?? existing?.username ?? null;
    let result: TokenResult;
    try {
      result = deviceCode && session instanceof DeviceCodeSession
        ? await deviceCode({
          scopes: provider.scopesFor(profile),
          signal: session.signal,
          timeoutSeconds: settings.signInTimeoutSeconds,
          onCode: (code) => hooks.onDeviceCode?.(code),
        })
        : await client.acquireInteractive({
        scopes: provider.scopesFor(profile),
        loginHint,
        successPage: SIGN_IN_SUCCESS_PAGE,
        errorPage: SIGN_IN_ERROR_PAGE,
        signal: session.signal,
        openBrowser: async (url) => {
          try {
            await hooks.onAuthorizeUrl(url);
          } catch (error) {
            void session.end('cancelled');
            throw error instanceof TokentrayError
              ? error
              : new TokentrayError('BROWSER_OPEN_FAILED', `The browser could not be opened (${error instanceof Error ? error.message : String(error)}).`, { cause: error });
          }
        },
      });
    } catch (error) {
      throw provider.translateInteractiveError(error, session.endedBy);
    } finally {
      clearTimeout(timeout);
      this.#signIns.delete(id);
    }

    const wrongUser = existing
      ? result.homeAccountId !== existing.homeAccountId
      : email !== null && result.username.toLowerCase() !== email.toLowerCase();
    if (wrongUser) {
      await this.#forgetTokensIfUnused({ provider: providerId, homeAccountId: result.homeAccountId, profile });
      const expected = existing?.username ?? email;
      throw new TokentrayError('SIGN_IN_WRONG_USER', `You signed in as ${result.username}, but account ${quoteAccountId(id)} is for ${expected}.`);
    }
    const record: AccountRecord = {
      id,
      provider: providerId,
      profile,
      homeAccountId: result.homeAccountId,
      username: result.username,
      sharedMailbox,
      createdAt: existing?.createdAt ?? this.#now(),
      lastToken: { obtainedAt: this.#now(), expiresAt: result.expiresAt },
      ...signedInWithFor(providerId, settings),
    };
    await this.#deps.vault.update((doc) => {
      setOwnValue(doc.accounts, id, record);
    });
    this.#deps.broker.upsert(record, result);
    const input = registrationInput(record, this.#deps.settings.read());
    const emailengineRegistration: EmailEngineRegistration = await (existing
      ? this.#deps.emailengine.afterSignIn(input, { overwrite })
      : this.#deps.emailengine.register(input, { overwrite })
    ).catch((error: unknown) => ({ kind: 'failed' as const, code: error instanceof TokentrayError ? error.code : 'INTERNAL', message: error instanceof Error ? error.message : String(error) }));
    this.#deps.logger.info(`account ${accountIdForLog(id)} ${existing ? 'signed in again' : 'connected'}`, { provider: providerId, profile });
    this.notifyChanged();
    return { ...this.#accountStatus(record), emailengineRegistration };
  }

  async cancelSignIn(id: string): Promise<void> {
    await this.#signIns.get(id)?.end('cancelled');
  }

  async removeAccount(id: string, options: RemoveAccountOptions = {}): Promise<RemoveAccountResult> {
    const record = ownValue(this.#deps.vault.document.accounts, id);
    if (!record) throw new TokentrayError('ACCOUNT_NOT_FOUND', `There is no tokentray account ${quoteAccountId(id)}.`);
    await this.#signIns.get(id)?.end('cancelled');
    this.#deps.broker.remove(id);
    await this.#deps.vault.update((doc) => {
      deleteOwnValue(doc.accounts, id);
    });
    await this.#forgetTokensIfUnused(record);
    await this.#deps.vault.flush();
    this.#deps.logger.info(`account ${accountIdForLog(id)} removed`);
    this.notifyChanged();
    const emailengine = await this.#deps.emailengine.remove(id, options.keepInEmailEngine === true);
    this.#deps.logger.info(`account ${accountIdForLog(id)}: EmailEngine side ${emailengine.kind}`);
    return { id, emailengine };
  }

  /** Records when an account's current token was obtained (see AccountRecord.lastToken). */
  recordTokenObtained(id: string, token: { obtainedAt: number; expiresAt: number }): void {
    if (!ownValue(this.#deps.vault.document.accounts, id)) return;
    this.#deps.vault
      .update((doc) => {
        const record = ownValue(doc.accounts, id);
        if (!record) return;
        record.lastToken = token;
        // Accounts connected before targets were recorded: this token proves where they sign in.
        record.signedInWith ??= signInTargetFor(providerOfRecord(record), this.#deps.settings.read()) ?? undefined;
      })
      .catch((error: unknown) => this.#deps.logger.error('could not record a token time in the vault', { error }));
  }

  /**
   * Drops a removed account's tokens from its provider's cache unless another account uses them.
   *
   * An identity no account uses any more goes whole. Where the provider keeps a grant per scope
   * (Google: gmail and gmail-api of one user), the removed profile's grant goes once no account
   * of that identity and profile is left, and the other profile's stays.
   */
  async #forgetTokensIfUnused(removed: Pick<AccountRecord, 'provider' | 'homeAccountId' | 'profile'>): Promise<void> {
    const provider = providerOfRecord(removed);
    const sameIdentity = Object.values(this.#deps.vault.document.accounts).filter(
      (record) => providerOfRecord(record) === provider && record.homeAccountId === removed.homeAccountId,
    );
    const identityProvider = this.#deps.providers(provider);
    const client = identityProvider.client();
    if (sameIdentity.length === 0) return client.removeAccount(removed.homeAccountId);
    if (client.removeGrant && !sameIdentity.some((record) => record.profile === removed.profile)) {
      await client.removeGrant(removed.homeAccountId, identityProvider.scopesFor(removed.profile));
    }
  }

  // ---- tokens ---------------------------------------------------------------------------

  async getToken(id: string, proto?: Proto): Promise<TokenAnswer> {
    const record = ownValue(this.#deps.vault.document.accounts, id);
    if (!record || !this.#deps.broker.has(id)) throw new TokentrayError('ACCOUNT_NOT_FOUND', `There is no tokentray account ${quoteAccountId(id)}.`, { details: { account: id } });
    this.#deps.providers(providerOfRecord(record)).requireConfigured();
    const { grant, expiresAt } = await this.#deps.broker.tokenFor(id, proto);
    return { user: grant.user, accessToken: grant.accessToken, expiresAt };
  }

  // ---- status ---------------------------------------------------------------------------

  #accountStatus(record: AccountRecord): AccountStatus {
    const broker = this.#deps.broker;
    return {
      id: record.id,
      email: record.username,
      user: record.sharedMailbox ?? record.username,
      provider: providerOfRecord(record),
      profile: record.profile,
      state: broker.has(record.id) ? broker.state(record.id) : { kind: 'signed-out' },
      lastRequest: this.#deps.server?.latestRequestFor(record.id) ?? null,
      lastError: broker.lastError(record.id),
      emailengine: this.#emailEngineView(record.id, broker.has(record.id) ? broker.state(record.id) : { kind: 'signed-out' }),
    };
  }

  async status(): Promise<StatusReport> {
    const records = Object.values(this.#deps.vault.document.accounts).sort((a, b) => a.id.localeCompare(b.id));
    return {
      accounts: records.map((record) => this.#accountStatus(record)),
      server: this.#deps.server?.status() ?? { running: false, url: null, error: null },
      emailengine: this.#deps.emailengine.status(),
      clientSecrets: { google: Boolean(this.#deps.vault.document.clientSecrets?.google) },
    };
  }

  async recentRequests(limit = 100): Promise<RequestRecord[]> {
    return this.#deps.server?.recentRequests(limit) ?? [];
  }

  async requestActivity(after: number | null = null, limit = 100): Promise<ActivityPage> {
    return this.#deps.server?.requestsSince(after, limit) ?? { records: [], cursor: 0, missed: 0 };
  }

  async runDiagnostics(): Promise<DiagnosticReport> {
    if (!this.#deps.diagnose) throw new TokentrayError('INTERNAL', 'This core was assembled without its checks.');
    return this.#deps.diagnose();
  }

  /** For one-shot `tokentray status`: find out each account's real state first. */
  async probeAll(): Promise<void> {
    await this.#deps.broker.warmUp();
    await this.#deps.emailengine.refresh();
  }

  // ---- settings and the auth-server secret ----------------------------------------------

  async getSettings(): Promise<Settings> {
    return this.#deps.settings.read();
  }

  async setSetting<K extends SettingKey>(key: K, value: Settings[K]): Promise<Settings> {
    const settings = this.#deps.settings.set(key, value);
    if (key === 'clientId' || key === 'tenant' || key === 'cloud' || key === 'authority' || key.startsWith('google.')) {
      this.#deps.resetProviders();
      // Accounts signed in elsewhere stop refreshing (nothing is deleted); restored ones serve again.
      this.#deps.broker.reviewSignInTargets();
    }
    const server = this.#deps.server;
    let newSecret = false;
    if ((key === 'host' || key === 'port' || key === 'allowedClients') && server) {
      const { running, error } = server.status();
      if (running || error) newSecret = await this.#startServer(server); // restart, or retry after a failed start
    }
    if (key === 'host' || key === 'port' || newSecret) {
      // EmailEngine's authServer follows the new address in the same step.
      const outcome = await this.#deps.emailengine.syncAuthServer();
      if (outcome === 'updated') this.#deps.logger.info(`EmailEngine's authServer follows the new ${key}`);
    }
    this.notifyChanged();
    return settings;
  }

  /**
   * Starts (or restarts) the auth server. A port found held by another local user marks the
   * secret as exposed, since EmailEngine may have sent it there; a new secret is made before
   * the server next listens, so the one it answers to was never sent to anyone else (the
   * EmailEngine tokentray connected gets it when its authServer follows, after the start).
   * Resolves true when it made a new secret.
   */
  async #startServer(server: AuthServerControl): Promise<boolean> {
    const exposed = this.#deps.vault.document.serverSecretExposed === true;
    if (exposed) {
      await this.#newServerSecret();
      this.#deps.logger.warn('made a new auth-server secret: another user held the port, and EmailEngine may have sent them the old one');
    }
    try {
      await server.start();
      return exposed;
    } catch (error) {
      if (isTokentrayError(error) && error.code === 'PORT_HELD_BY_OTHER_USER') {
        await this.#deps.vault.update((doc) => {
          doc.serverSecretExposed = true;
        });
      }
      if (isPortTaken(error)) this.#retryServerLater(server);
      throw error;
    }
  }

  /** Replaces the auth-server secret; the old one, exposed or not, opens nothing any more. */
  async #newServerSecret(): Promise<void> {
    const created = this.#deps.generateCredentials();
    await this.#deps.vault.update((doc) => {
      doc.serverCredentials = created;
      delete doc.serverSecretExposed;
    });
  }

  async #ensureServerCredentials(): Promise<AuthServerCredentials> {
    const existing = this.#deps.vault.document.serverCredentials;
    if (existing) return existing;
    const created = this.#deps.generateCredentials();
    await this.#deps.vault.update((doc) => {
      doc.serverCredentials = created;
    });
    return created;
  }

  async serverUrl(): Promise<string> {
    const credentials = await this.#ensureServerCredentials();
    return this.#deps.formatServerUrl(credentials, this.#deps.settings.read(), this.#deps.server?.status().url ?? null);
  }

  async setClientSecret(provider: 'google', secret: string | null): Promise<void> {
    if (provider !== 'google') throw new TokentrayError('USAGE', `Only Google has a client secret, not "${String(provider).slice(0, 40)}".`);
    const value = secret?.trim() || null;
    if (value !== null && !CLIENT_SECRET.test(value)) {
      throw new TokentrayError('USAGE', 'That does not look like a Google OAuth client secret.', {
        hint: 'Copy it from Cloud Console → APIs & Services → Credentials → your "Desktop app" client (it usually starts with GOCSPX-).',
      });
    }
    await this.#deps.vault.update((doc) => {
      if (value) doc.clientSecrets = { ...doc.clientSecrets, google: value };
      else if (doc.clientSecrets) delete doc.clientSecrets.google;
    });
    this.#deps.resetProviders();
    this.#deps.logger.info(value ? 'Google client secret stored in the vault' : 'Google client secret removed from the vault');
    this.notifyChanged();
  }

  async rotateServerSecret(): Promise<string> {
    await this.#newServerSecret();
    const outcome = await this.#deps.emailengine.syncAuthServer();
    this.#deps.logger.info(`auth-server secret rotated; EmailEngine's authServer: ${outcome}`);
    return this.serverUrl();
  }

  // ---- EmailEngine ----------------------------------------------------------------------

  #emailEngineView(id: string, state: AccountState): AccountEmailEngineView | null {
    const view = this.#deps.emailengine.viewFor(id);
    if (!view) return null;
    return { ...view, hint: emailEngineHint({ id, state }, view)?.fix ?? null };
  }

  #registrationInputs(): RegistrationInput[] {
    const settings = this.#deps.settings.read();
    return Object.values(this.#deps.vault.document.accounts).map((record) => registrationInput(record, settings));
  }

  /** What EmailEngine registrations need to know about tokentray's accounts. */
  registrationInputs(): RegistrationInput[] {
    return this.#registrationInputs();
  }

  async checkEmailEngine(request: { url: string; token: string }): Promise<EmailEnginePreflight> {
    return this.#deps.emailengine.check(request);
  }

  async connectEmailEngine(request: EmailEngineConnectRequest): Promise<EmailEngineConnectResult> {
    await this.#ensureServerCredentials();
    const result = await this.#deps.emailengine.connect(request);
    this.notifyChanged();
    return result;
  }

  async disconnectEmailEngine(): Promise<void> {
    await this.#deps.emailengine.disconnect();
    this.notifyChanged();
  }

  async emailEngineStatus(refresh = false): Promise<EmailEngineStatus> {
    if (refresh) await this.#deps.emailengine.refresh();
    return this.#deps.emailengine.status();
  }

  async emailEngineOrphans(): Promise<EmailEngineOrphan[]> {
    return this.#deps.emailengine.orphans();
  }

  async previewEmailEngineRegistration(id: string, profile?: ScopeProfile): Promise<EmailEngineRegistrationPreview> {
    const record = ownValue(this.#deps.vault.document.accounts, id);
    const settings = this.#deps.settings.read();
    return this.#deps.emailengine.preview(
      registrationInput({ id, profile: profile ?? record?.profile ?? 'outlook', username: record?.username ?? '', sharedMailbox: record?.sharedMailbox ?? null }, settings),
    );
  }
}
