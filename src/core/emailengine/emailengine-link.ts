/**
 * tokentray's link to one EmailEngine: connect (preflight, authServer), accounts that follow
 * tokentray's, and EmailEngine's own view of each account, polled.
 *
 * The link (URL + API token) is kept in the vault. EmailEngine's side is polled at a modest
 * rate, never per auth-server request: EMAILENGINE_POLL_MS normally, sooner for a few seconds
 * after tokentray changed something there, and backing off to EMAILENGINE_POLL_MAX_MS while
 * EmailEngine does not answer.
 */
import type { ScopeProfile } from '../../shared/scope-profile.js';
import { accountIdForLog } from '../../shared/account-id.js';
import {
  emailEngineNotConnected,
  EMAILENGINE_ACCOUNT_STATES,
  type AccountEmailEngineView,
  type EmailEngineAccountState,
  type EmailEngineConnectRequest,
  type EmailEngineConnectResult,
  type EmailEngineOrphan,
  type EmailEnginePreflight,
  type EmailEngineRegistration,
  type EmailEngineRemoval,
  type EmailEngineStatus,
} from '../../shared/emailengine.js';
import type { Cloud, Settings } from '../../shared/settings-shape.js';
import type { EmailEngineRegistrationPreview } from '../../shared/tokentray-api.js';
import { TokentrayError } from '../../shared/tokentray-error.js';
import type { Logger } from '../logging/logger.js';
import type { EmailEngineLinkRecord, Vault } from '../storage/vault.js';
import { describeChanges, GMAIL_HOSTS, registrationChanges, registrationFor, usesAuthServer, type RegistrationInput } from './account-registration.js';
import { EmailEngineClient, type EmailEngineAccountData, type FetchLike } from './emailengine-client.js';
import { ensureGmailApiApp, isGmailApiApp } from './gmail-api-app.js';
import { ensureGraphApp, isGraphAppFor, rememberedGraphApp } from './graph-app.js';
import { classifyAuthServer, runPreflight, withoutCredentials } from './preflight.js';

/** How often EmailEngine's account states are read while all is calm. */
export const EMAILENGINE_POLL_MS = 15_000;
/** The longest wait between polls while EmailEngine does not answer. */
export const EMAILENGINE_POLL_MAX_MS = 5 * 60_000;
/** Polls soon after a change (register, reconnect), so its outcome shows within seconds. */
export const EMAILENGINE_FOLLOW_UP_POLLS_MS: readonly number[] = [1_000, 3_000, 8_000];
const MAX_TOKEN_LENGTH = 1024;
const MAX_ORPHAN_LOOKUPS = 200;

export interface LinkDependencies {
  vault: Vault;
  /** tokentray's full auth-server URL, credentials included (what authServer must be). */
  serverUrl(): Promise<string>;
  settings(): Settings;
  /** tokentray's accounts as EmailEngine registrations need them. */
  accounts(): RegistrationInput[];
  logger: Logger;
  onChange(): void;
  now?: () => number;
  fetch?: FetchLike;
  pollMs?: number;
}

function normaliseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new TokentrayError('EMAILENGINE_URL_INVALID', `"${raw.slice(0, 100)}" is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TokentrayError('EMAILENGINE_URL_INVALID', `EmailEngine's URL must start with http:// or https://.`);
  if (url.username || url.password) throw new TokentrayError('EMAILENGINE_URL_INVALID', 'Leave credentials out of EmailEngine\'s URL: the API token is asked for separately.');
  if (url.search || url.hash) throw new TokentrayError('EMAILENGINE_URL_INVALID', 'Give EmailEngine\'s base URL without a query or fragment.');
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${url.origin}${path}`;
}

function checkToken(token: string): string {
  const trimmed = token.trim();
  if (!trimmed) throw new TokentrayError('EMAILENGINE_TOKEN_INVALID', 'No EmailEngine API token was given.');
  if (trimmed.length > MAX_TOKEN_LENGTH || /\s/.test(trimmed)) throw new TokentrayError('EMAILENGINE_TOKEN_INVALID', 'That does not look like an EmailEngine API token (64 hex characters).');
  return trimmed;
}

function asState(value: unknown): EmailEngineAccountState {
  return typeof value === 'string' && (EMAILENGINE_ACCOUNT_STATES as readonly string[]).includes(value) ? (value as EmailEngineAccountState) : 'unknown';
}

function viewFrom(data: EmailEngineAccountData, managed: boolean, now: number): AccountEmailEngineView {
  const response = data.lastError?.response;
  return {
    presence: 'registered',
    state: asState(data.state),
    lastError: typeof response === 'string' && response ? { response, serverResponseCode: data.lastError?.serverResponseCode ?? null } : null,
    checkedAt: now,
    managed,
    hint: null,
    error: null,
  };
}

function failureOf(error: unknown): { code: TokentrayError['code']; message: string } {
  return error instanceof TokentrayError ? { code: error.code, message: error.message } : { code: 'INTERNAL', message: 'An EmailEngine call failed unexpectedly.' };
}

/** The profile an EmailEngine account would be connected with here: by its app's provider, or its IMAP host. */
async function orphanProfile(data: EmailEngineAccountData, appProvider: (id: string) => Promise<string | null>): Promise<ScopeProfile> {
  const api = data.oauth2 && typeof data.oauth2 === 'object' && data.oauth2.useAuthServer ? data.oauth2 : null;
  if (api) return typeof api.provider === 'string' && (await appProvider(api.provider)) === 'gmail' ? 'gmail-api' : 'graph';
  const imapHost = data.imap && typeof data.imap === 'object' ? data.imap.host : undefined;
  return imapHost === GMAIL_HOSTS.imapHost ? 'gmail' : 'outlook';
}

export class EmailEngineLink {
  readonly #deps: LinkDependencies;
  readonly #now: () => number;
  readonly #pollMs: number;
  readonly #views = new Map<string, AccountEmailEngineView>();
  #status: EmailEngineStatus;
  #timer: NodeJS.Timeout | null = null;
  #followUps: NodeJS.Timeout[] = [];
  #polling = false;
  #failures = 0;
  #inFlight: Promise<void> | null = null;

  constructor(deps: LinkDependencies) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#pollMs = deps.pollMs ?? EMAILENGINE_POLL_MS;
    const record = this.#record();
    this.#status = record ? { ...emailEngineNotConnected(), connected: true, url: record.url } : emailEngineNotConnected();
  }

  #record(): EmailEngineLinkRecord | null {
    return this.#deps.vault.document.emailEngine ?? null;
  }

  #client(record: EmailEngineLinkRecord): EmailEngineClient {
    return new EmailEngineClient({ baseUrl: record.url, token: record.token, ...(this.#deps.fetch ? { fetch: this.#deps.fetch } : {}) });
  }

  #require(): { record: EmailEngineLinkRecord; client: EmailEngineClient } {
    const record = this.#record();
    if (!record) throw new TokentrayError('EMAILENGINE_NOT_CONNECTED', 'No EmailEngine is connected.');
    return { record, client: this.#client(record) };
  }

  get connected(): boolean {
    return this.#record() !== null;
  }

  // ---- connect ---------------------------------------------------------------------------

  async check(request: { url: string; token: string }): Promise<EmailEnginePreflight> {
    const client = new EmailEngineClient({ baseUrl: normaliseUrl(request.url), token: checkToken(request.token), ...(this.#deps.fetch ? { fetch: this.#deps.fetch } : {}) });
    return runPreflight(client, await this.#deps.serverUrl());
  }

  async connect(request: EmailEngineConnectRequest): Promise<EmailEngineConnectResult> {
    const url = normaliseUrl(request.url);
    const token = checkToken(request.token);
    const client = new EmailEngineClient({ baseUrl: url, token, ...(this.#deps.fetch ? { fetch: this.#deps.fetch } : {}) });
    const ours = await this.#deps.serverUrl();
    const preflight = await runPreflight(client, ours);
    const failed = preflight.checks.find((check) => check.outcome === 'fail');
    if (failed) throw new TokentrayError(failed.code ?? 'EMAILENGINE_UNREACHABLE', failed.message, { details: { check: failed.id, url } });
    const target = preflight.authServer ?? { kind: 'unset' as const };
    if (target.kind === 'other' && !request.replace) {
      throw new TokentrayError('EMAILENGINE_AUTH_SERVER_ELSEWHERE', `EmailEngine's authServer points to another server (${target.url}); it was left unchanged.`, {
        details: { current: target.url, url },
      });
    }
    let authServer: EmailEngineConnectResult['authServer'] = 'unchanged';
    if (target.kind !== 'this') {
      await this.#setAuthServer(client, ours);
      authServer = target.kind === 'unset' ? 'set' : target.kind === 'other' ? 'replaced' : 'updated';
    }
    const previous = this.#record();
    const sameEngine = previous?.url === url;
    await this.#deps.vault.update((doc) => {
      doc.emailEngine = {
        url,
        token,
        graphAppId: sameEngine ? previous.graphAppId : null,
        gmailApiAppId: sameEngine ? previous.gmailApiAppId ?? null : null,
        managed: sameEngine ? previous.managed : [],
        authServerSet: ours,
      };
    });
    if (!sameEngine) this.#views.clear();
    this.#deps.logger.info(`EmailEngine connected at ${url}; authServer ${authServer}`, { version: preflight.version });
    this.#status = {
      ...emailEngineNotConnected(),
      connected: true,
      url,
      version: preflight.version,
      licensed: preflight.licensed,
      authServer: classifyAuthServer(ours, ours),
      checkedAt: this.#now(),
      warnings: this.#warningsFrom(preflight),
    };

    const registered: string[] = [];
    const registerFailures: EmailEngineConnectResult['failed'] = [];
    for (const input of this.#deps.accounts()) {
      const outcome = await this.register(input, { overwrite: false });
      if (outcome.kind === 'failed') registerFailures.push({ id: input.id, code: outcome.code, message: outcome.message });
      else registered.push(input.id);
    }
    this.#deps.onChange();
    this.#followUp();
    return { preflight, authServer, registered, failed: registerFailures, status: this.status() };
  }

  #warningsFrom(preflight: EmailEnginePreflight): EmailEngineStatus['warnings'] {
    return preflight.checks
      .filter((check) => check.outcome === 'warn' && check.code !== null && check.id !== 'auth-server')
      .map((check) => ({ code: check.code!, message: check.message }));
  }

  async #setAuthServer(client: EmailEngineClient, ours: string): Promise<void> {
    await client.setAuthServer(ours);
    const readBack = await client.authServer();
    if (readBack !== ours) {
      throw new TokentrayError('EMAILENGINE_AUTH_SERVER_NOT_SAVED', `EmailEngine's authServer reads back as ${readBack ? withoutCredentials(readBack) : '(unset)'} after tokentray set it.`);
    }
  }

  async disconnect(): Promise<void> {
    if (!this.#record()) return;
    await this.#deps.vault.update((doc) => {
      doc.emailEngine = null;
    });
    this.#views.clear();
    this.#status = emailEngineNotConnected();
    this.#deps.logger.info('EmailEngine disconnected (EmailEngine itself was left as it is)');
    this.#deps.onChange();
  }

  /**
   * Points authServer at tokentray's current URL (after a rotated secret, a port or host change)
   * when it still points to this tokentray or to what tokentray last set. Never throws.
   */
  async syncAuthServer(): Promise<'updated' | 'unchanged' | 'elsewhere' | 'failed' | 'not-connected'> {
    const record = this.#record();
    if (!record) return 'not-connected';
    const client = this.#client(record);
    try {
      const ours = await this.#deps.serverUrl();
      const current = await client.authServer();
      const target = classifyAuthServer(current, ours);
      if (target.kind === 'this') return 'unchanged';
      if (target.kind === 'other' && current !== record.authServerSet) {
        this.#status = { ...this.#status, authServer: target, error: { code: 'EMAILENGINE_AUTH_SERVER_ELSEWHERE', message: `EmailEngine's authServer now points to ${target.url}; tokentray left it unchanged.` } };
        this.#deps.onChange();
        return 'elsewhere';
      }
      await this.#setAuthServer(client, ours);
      await this.#deps.vault.update((doc) => {
        if (doc.emailEngine) doc.emailEngine.authServerSet = ours;
      });
      this.#status = { ...this.#status, authServer: classifyAuthServer(ours, ours), error: null, checkedAt: this.#now() };
      this.#deps.logger.info('EmailEngine authServer updated to the new auth-server URL');
      this.#deps.onChange();
      return 'updated';
    } catch (error) {
      const failure = failureOf(error);
      this.#status = { ...this.#status, error: failure };
      this.#deps.logger.warn('could not update EmailEngine\'s authServer', { error: failure.message });
      this.#deps.onChange();
      return 'failed';
    }
  }

  // ---- accounts --------------------------------------------------------------------------

  async preview(input: RegistrationInput): Promise<EmailEngineRegistrationPreview> {
    const { record, client } = this.#require();
    const existing = await client.account(input.id);
    const managed = record.managed.includes(input.id);
    if (!existing) return { id: input.id, exists: false, managed, changes: [], needsConfirmation: false };
    // A mail-API account keeps the app of its kind it names, else it would name tokentray's own
    // (before that exists, by a placeholder id: a move from another app is a change to show).
    const graphAppId =
      input.profile === 'graph' ? ((await this.#keptGraphApp(client, existing, input)) ?? (await rememberedGraphApp(client, record.graphAppId, input.cloud)) ?? 'tokentray-graph-app') : null;
    const gmailApiAppId = input.profile === 'gmail-api' ? (await this.#keptGmailApiApp(client, existing)) ?? record.gmailApiAppId ?? 'tokentray-gmail-api-app' : null;
    // Before the first sign-in the mailbox is not known yet: its oauth2.auth.user is not compared.
    const changes = registrationChanges(existing, registrationFor({ ...input, graphAppId, gmailApiAppId })).filter((change) => input.username !== '' || change.field !== 'oauth2.auth.user');
    return { id: input.id, exists: true, managed, changes, needsConfirmation: !managed && changes.length > 0 };
  }

  /**
   * Throws EMAILENGINE_ACCOUNT_CONFLICT when registering would overwrite someone else's account.
   * `lenient` (before a sign-in): an EmailEngine that cannot be asked does not block it; the
   * registration after it checks again and reports its own failure.
   */
  async assertMayRegister(input: RegistrationInput, overwrite: boolean, options: { lenient?: boolean } = {}): Promise<void> {
    if (!this.#record() || overwrite) return;
    let preview: EmailEngineRegistrationPreview;
    try {
      preview = await this.preview(input);
    } catch (error) {
      if (!options.lenient) throw error;
      this.#deps.logger.warn(`could not ask EmailEngine about ${accountIdForLog(input.id)} before the sign-in`, { code: failureOf(error).code });
      return;
    }
    if (preview.needsConfirmation) {
      throw new TokentrayError(
        'EMAILENGINE_ACCOUNT_CONFLICT',
        `EmailEngine already has an account ${accountIdForLog(input.id)} that tokentray did not create; registering it would change ${describeChanges(preview.changes)}.`,
        { details: { account: input.id, changes: JSON.stringify(preview.changes) } },
      );
    }
  }

  /** Registers (POST /v1/account, an upsert) an account; reports failures instead of throwing. */
  async register(input: RegistrationInput, options: { overwrite: boolean }): Promise<EmailEngineRegistration> {
    const record = this.#record();
    if (!record) return { kind: 'not-connected' };
    try {
      await this.assertMayRegister(input, options.overwrite);
      const client = this.#client(record);
      let graphAppId: string | null = null;
      let gmailApiAppId: string | null = null;
      if (input.profile === 'graph') {
        graphAppId = (await this.#keptGraphApp(client, await client.account(input.id), input)) ?? (await this.#ensureGraphApp(client, record, input.cloud));
      }
      if (input.profile === 'gmail-api') {
        gmailApiAppId = (await this.#keptGmailApiApp(client, await client.account(input.id))) ?? (await this.#ensureGmailApiApp(client, record));
      }
      const answer = await client.upsertAccount(registrationFor({ ...input, graphAppId, gmailApiAppId }));
      await this.#markManaged(input.id, true);
      this.#deps.logger.info(`account ${accountIdForLog(input.id)} registered in EmailEngine (${answer.state})`);
      this.#followUp();
      return { kind: 'registered', created: answer.state === 'new' };
    } catch (error) {
      const failure = failureOf(error);
      this.#deps.logger.warn(`account ${accountIdForLog(input.id)} could not be registered in EmailEngine`, { code: failure.code });
      if (error instanceof TokentrayError && error.code === 'EMAILENGINE_ACCOUNT_CONFLICT') throw error;
      return { kind: 'failed', ...failure };
    }
  }

  /**
   * The Gmail API app an account in EmailEngine already names, when it is one: kept as it is.
   *
   * Someone else's app may carry a Pub/Sub link (near real-time changes) that moving the
   * account to tokentray's app would lose; with useAuthServer its credentials are unused anyway.
   */
  async #keptGmailApiApp(client: EmailEngineClient, existing: EmailEngineAccountData | null): Promise<string | null> {
    const named = existing?.oauth2 && typeof existing.oauth2 === 'object' ? existing.oauth2.provider : undefined;
    if (typeof named !== 'string' || !named) return null;
    return isGmailApiApp(await client.oauth2App(named)) ? named : null;
  }

  /**
   * The Graph app an account in EmailEngine already names, when it is one for this cloud: kept.
   *
   * As for Gmail API apps: with useAuthServer its credentials are unused, and it is its owner's
   * to manage (moving the account was a change nobody confirmed). An app of another cloud is
   * not kept: EmailEngine would call that cloud's Graph with tokentray's tokens, so the move to
   * tokentray's app is a change shown and confirmed like any other.
   */
  async #keptGraphApp(client: EmailEngineClient, existing: EmailEngineAccountData | null, input: RegistrationInput): Promise<string | null> {
    const named = existing?.oauth2 && typeof existing.oauth2 === 'object' ? existing.oauth2.provider : undefined;
    if (typeof named !== 'string' || !named) return null;
    return isGraphAppFor(await client.oauth2App(named), input.cloud) ? named : null;
  }

  /** tokentray's own Graph app in EmailEngine for the account's cloud (found or created), remembered in the vault. */
  async #ensureGraphApp(client: EmailEngineClient, record: EmailEngineLinkRecord, cloud: Cloud): Promise<string> {
    const id = await ensureGraphApp(client, { ...this.#deps.settings(), cloud }, record.graphAppId);
    if (id !== record.graphAppId) {
      await this.#deps.vault.update((doc) => {
        if (doc.emailEngine) doc.emailEngine.graphAppId = id;
      });
    }
    return id;
  }

  /** tokentray's own Gmail API app in EmailEngine (found or created), remembered in the vault. */
  async #ensureGmailApiApp(client: EmailEngineClient, record: EmailEngineLinkRecord): Promise<string> {
    const id = await ensureGmailApiApp(client, this.#deps.settings(), record.gmailApiAppId ?? null);
    if (id !== (record.gmailApiAppId ?? null)) {
      await this.#deps.vault.update((doc) => {
        if (doc.emailEngine) doc.emailEngine.gmailApiAppId = id;
      });
    }
    return id;
  }

  /** After signing in again: reconnect at once (or register, if EmailEngine lost the account). */
  async afterSignIn(input: RegistrationInput, options: { overwrite: boolean }): Promise<EmailEngineRegistration> {
    const record = this.#record();
    if (!record) return { kind: 'not-connected' };
    try {
      const client = this.#client(record);
      const existing = await client.account(input.id);
      if (!existing) return await this.register(input, options);
      await client.reconnect(input.id);
      this.#deps.logger.info(`account ${accountIdForLog(input.id)}: EmailEngine asked to reconnect`);
      this.#followUp();
      return { kind: 'reconnected' };
    } catch (error) {
      if (error instanceof TokentrayError && error.code === 'EMAILENGINE_ACCOUNT_CONFLICT') throw error;
      return { kind: 'failed', ...failureOf(error) };
    }
  }

  async remove(id: string, keep: boolean): Promise<EmailEngineRemoval> {
    const record = this.#record();
    if (!record) return { kind: 'not-connected' };
    this.#views.delete(id);
    if (keep) {
      await this.#markManaged(id, false);
      return { kind: 'kept' };
    }
    try {
      const removed = await this.#client(record).deleteAccount(id);
      await this.#markManaged(id, false);
      return removed ? { kind: 'removed' } : { kind: 'not-registered' };
    } catch (error) {
      return { kind: 'failed', ...failureOf(error) };
    }
  }

  async #markManaged(id: string, managed: boolean): Promise<void> {
    const record = this.#record();
    if (!record || record.managed.includes(id) === managed) return;
    await this.#deps.vault.update((doc) => {
      if (!doc.emailEngine) return;
      doc.emailEngine.managed = managed ? [...doc.emailEngine.managed, id] : doc.emailEngine.managed.filter((entry) => entry !== id);
    });
  }

  async orphans(): Promise<EmailEngineOrphan[]> {
    const { client } = this.#require();
    const known = new Set(this.#deps.accounts().map((input) => input.id));
    const listed = (await client.accounts()).filter((entry) => !known.has(entry.account)).slice(0, MAX_ORPHAN_LOOKUPS);
    const orphans: EmailEngineOrphan[] = [];
    const appProviders = new Map<string, string | null>();
    const appProvider = async (id: string): Promise<string | null> => {
      if (!appProviders.has(id)) appProviders.set(id, (await client.oauth2App(id).catch(() => null))?.provider ?? null);
      return appProviders.get(id) ?? null;
    };
    for (const entry of listed) {
      const data = await client.account(entry.account);
      if (!data || !usesAuthServer(data)) continue;
      orphans.push({ id: entry.account, name: data.name ?? null, email: data.email ?? null, state: asState(data.state), profile: await orphanProfile(data, appProvider) });
    }
    return orphans;
  }

  // ---- EmailEngine's side ----------------------------------------------------------------

  viewFor(id: string): AccountEmailEngineView | null {
    const record = this.#record();
    if (!record) return null;
    const view = this.#views.get(id);
    if (view) return { ...view, managed: record.managed.includes(id) };
    const error = this.#status.error && this.#status.error.code !== 'EMAILENGINE_AUTH_SERVER_ELSEWHERE' ? this.#status.error : null;
    return { presence: 'unknown', state: null, lastError: null, checkedAt: null, managed: record.managed.includes(id), hint: null, error };
  }

  status(): EmailEngineStatus {
    const record = this.#record();
    if (!record) return emailEngineNotConnected();
    return { ...this.#status, connected: true, url: record.url };
  }

  /** Asks EmailEngine now: its version, license and authServer, and every account's state. */
  async refresh(options: { full: boolean } = { full: true }): Promise<void> {
    if (this.#inFlight) return this.#inFlight;
    this.#inFlight = this.#refresh(options.full).finally(() => (this.#inFlight = null));
    return this.#inFlight;
  }

  async #refresh(full: boolean): Promise<void> {
    const record = this.#record();
    if (!record) return;
    const client = this.#client(record);
    const before = JSON.stringify([this.#status, [...this.#views]]);
    try {
      if (full) {
        const stats = await client.stats();
        const current = await client.authServer();
        const license = await client.license().catch(() => null);
        const ours = await this.#deps.serverUrl();
        const licensed = license ? license.active === true && license.suspended !== true : null;
        const warnings: EmailEngineStatus['warnings'] = licensed === false ? [{ code: 'EMAILENGINE_UNLICENSED', message: 'EmailEngine runs without a license: it stops IMAP and SMTP 20 minutes after each start' }] : [];
        const target = classifyAuthServer(current, ours);
        this.#status = {
          ...this.#status,
          version: typeof stats.version === 'string' ? stats.version : null,
          licensed,
          authServer: target,
          warnings,
          error: target.kind === 'other' ? { code: 'EMAILENGINE_AUTH_SERVER_ELSEWHERE', message: `EmailEngine's authServer points to ${target.url}, not to this tokentray.` } : null,
        };
      }
      const now = this.#now();
      for (const input of this.#deps.accounts()) {
        const data = await client.account(input.id);
        this.#views.set(
          input.id,
          data ? viewFrom(data, record.managed.includes(input.id), now) : { presence: 'missing', state: null, lastError: null, checkedAt: now, managed: false, hint: null, error: null },
        );
      }
      for (const id of [...this.#views.keys()]) if (!this.#deps.accounts().some((input) => input.id === id)) this.#views.delete(id);
      this.#status = { ...this.#status, checkedAt: now, ...(full ? {} : { error: this.#status.error?.code === 'EMAILENGINE_AUTH_SERVER_ELSEWHERE' ? this.#status.error : null }) };
      this.#failures = 0;
    } catch (error) {
      const failure = failureOf(error);
      this.#failures += 1;
      this.#status = { ...this.#status, error: failure };
      for (const [id, view] of this.#views) this.#views.set(id, { ...view, error: failure });
    }
    if (JSON.stringify([this.#status, [...this.#views]]) !== before) this.#deps.onChange();
  }

  // ---- polling ---------------------------------------------------------------------------

  startPolling(): void {
    if (this.#polling) return;
    this.#polling = true;
    this.#schedule(0);
  }

  stopPolling(): void {
    this.#polling = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const timer of this.#followUps) clearTimeout(timer);
    this.#followUps = [];
  }

  #schedule(delayMs: number): void {
    if (!this.#polling) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.refresh({ full: true }).then(() => {
        // Back off while EmailEngine does not answer: 30 s, 60 s, … up to EMAILENGINE_POLL_MAX_MS.
        this.#schedule(this.#failures > 0 ? Math.min(EMAILENGINE_POLL_MAX_MS, this.#pollMs * 2 ** this.#failures) : this.#pollMs);
      });
    }, delayMs);
    this.#timer.unref();
  }

  /** A few quick polls after a change so its outcome shows within seconds. */
  #followUp(): void {
    if (!this.#polling) return;
    for (const timer of this.#followUps) clearTimeout(timer);
    this.#followUps = EMAILENGINE_FOLLOW_UP_POLLS_MS.map((delay) => {
      const timer = setTimeout(() => void this.refresh({ full: false }), delay);
      timer.unref();
      return timer;
    });
  }
}

/** The input for registering `record`-like accounts (used by the service). */
export function registrationInput(
  account: { id: string; profile: ScopeProfile; username: string; sharedMailbox: string | null; provider?: string },
  settings: Settings,
): RegistrationInput {
  return {
    id: account.id,
    profile: account.profile,
    username: account.username,
    user: account.sharedMailbox ?? account.username,
    cloud: settings.cloud,
    provider: account.provider === 'google' ? 'google' : 'microsoft',
  };
}
