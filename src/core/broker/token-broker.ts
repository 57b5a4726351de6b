/**
 * Serves every account's access token from memory and keeps it fresh.
 *
 * Invariants:
 * - Each account is in exactly one AccountState at a time (see src/shared/account-status.ts).
 * - At most one refresh per account is in flight; concurrent callers share its promise.
 * - A token is handed out only while `serveUntil` allows (comfortable validity left).
 * - "Needs sign-in" comes only from an explicit identity-provider verdict (invalid_grant,
 *   interaction_required, …) or from MSAL finding nothing in its cache; transient failures
 *   keep the account and retry with backoff. Only the identity provider's verdict deletes a
 *   refresh token: a settings change must never destroy credentials.
 * - An account whose recorded sign-in target (authority + app) differs from the configured
 *   one is never refreshed: it is "signed in elsewhere" (a needs-sign-in reason), keeps its
 *   tokens, and is served again once the setting is restored (reviewSignInTargets).
 * - The hot path (`grantFor` with a fresh token) is synchronous: no promise, no MSAL, no I/O.
 */
import type { AccountState, Proto, SignInReason } from '../../shared/account-status.js';
import { TokentrayError } from '../../shared/tokentray-error.js';
import type { TokenGrant, TokenSource } from '../auth-server/token-source.js';
import type { Logger } from '../logging/logger.js';
import { providerOfRecord } from '../identity/account-provider.js';
import type { ProviderId } from '../../shared/providers.js';
import type { IdentityProvider, IdentityProviders, TokenResult } from '../identity/identity-provider.js';
import { profileServes, profilesOf } from '../../shared/providers.js';
import {
  REFRESHER_TICK_MS,
  clockJumped,
  isRefreshDue,
  refreshDueAt,
  retryDelayMs,
  serveUntil,
} from './refresh-policy.js';
import type { AccountRecord, SignInTarget } from '../storage/vault.js';
import { SIGNED_IN_ELSEWHERE, sameSignInTarget, signedInElsewhereReason } from '../identity/sign-in-target.js';

/** Entra's usual access-token lifetime; assumed for tokens MSAL returns from its cache. */
const ASSUMED_LIFETIME_MS = 60 * 60_000;
const EXPIRY_MATCH_TOLERANCE_MS = 2_000;
/**
 * How many background refreshes (warm-up, the refresher) run at once: 1,000 accounts must
 * not stampede. A refresh a request waits for never queues behind them.
 */
const BACKGROUND_CONCURRENCY = 8;
/** The warm-up gives the event loop back this often, so serving never waits longer. */
const WARM_UP_SLICE_MS = 4;

export interface BrokerDependencies {
  /** The identity provider of each account (the broker does not care which one it is). */
  providers: IdentityProviders;
  logger: Logger;
  now?: () => number;
  random?: () => number;
  /**
   * A monotonic clock in ms for the warm-up's time slices (default performance.now). Tests
   * pass a frozen one: the slices then never depend on how busy the machine is.
   */
  monotonicNow?: () => number;
  /** Called whenever an account's state changes (for status listeners). */
  onChange?: (accountId: string) => void;
  /** Called when a new access token was obtained (persisted so a restart knows its age). */
  onTokenObtained?: (accountId: string, token: { obtainedAt: number; expiresAt: number }) => void;
  /** Where sign-ins go now (from the settings); accounts recorded elsewhere are not refreshed. */
  signInTarget?: (provider: ProviderId) => SignInTarget | null;
}

interface HeldAccessToken {
  accessToken: string;
  expiresAt: number;
  obtainedAt: number;
}

interface Entry {
  record: AccountRecord;
  token: HeldAccessToken | null;
  // Precomputed for the hot path: the two possible answers and the two deadlines.
  mailboxGrant: TokenGrant | null; // imap / api: the shared mailbox when set
  senderGrant: TokenGrant | null; // smtp: always the signed-in user
  refreshDue: number;
  serveUntil: number;
  state: AccountState;
  inflight: Promise<void> | null;
  /** The provider's cache was already looked at for a token (once per start). */
  seeded: boolean;
  failures: number;
  retryAt: number;
  lastError: { code: string; message: string; at: number } | null;
  /** The needs-sign-in came from MSAL's cache, not the identity provider: a settings change may cure it. */
  localVerdict: boolean;
}

export class TokenBroker implements TokenSource {
  readonly #entries = new Map<string, Entry>();
  readonly #deps: BrokerDependencies;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #monotonicNow: () => number;
  /** Background refreshes waiting for a slot, each with whoever waits for it (warm-up). */
  readonly #queue = new Map<Entry, (() => void)[]>();
  #running = 0;
  #timer: NodeJS.Timeout | null = null;
  #lastTickAt = 0;

  constructor(deps: BrokerDependencies) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random ?? Math.random;
    this.#monotonicNow = deps.monotonicNow ?? (() => performance.now());
  }

  // ---- accounts -------------------------------------------------------------------------

  /** Adds or replaces an account; `token` when a sign-in just produced one. */
  upsert(record: AccountRecord, token?: TokenResult): void {
    const existing = this.#entries.get(record.id);
    const entry: Entry = existing ?? {
      record,
      token: null,
      mailboxGrant: null,
      senderGrant: null,
      refreshDue: 0,
      serveUntil: 0,
      state: { kind: 'signed-out' },
      inflight: null,
      seeded: false,
      failures: 0,
      retryAt: 0,
      lastError: null,
      localVerdict: false,
    };
    entry.record = record;
    this.#entries.set(record.id, entry);
    if (token) {
      entry.failures = 0;
      entry.retryAt = 0;
      entry.lastError = null;
      this.#hold(entry, token, this.#now());
    }
    this.#changed(record.id);
  }

  remove(accountId: string): void {
    this.#entries.delete(accountId);
    this.#changed(accountId);
  }

  has(accountId: string): boolean {
    return this.#entries.has(accountId);
  }

  state(accountId: string): AccountState {
    return this.#entry(accountId).state;
  }

  lastError(accountId: string): Entry['lastError'] {
    return this.#entries.get(accountId)?.lastError ?? null;
  }

  accountIds(): string[] {
    return [...this.#entries.keys()];
  }

  // ---- serving --------------------------------------------------------------------------

  grantFor(accountId: string, proto: Proto): TokenGrant | Promise<TokenGrant> {
    const entry = this.#entries.get(accountId);
    if (!entry) throw this.#notFound(accountId);
    if (!profileServes(entry.record.profile, proto)) throw this.#profileMismatch(entry, proto);
    const now = this.#now();
    if (entry.token && now < entry.refreshDue) return this.#pick(entry, proto); // the hot path
    return this.#slowGrant(entry, proto, now);
  }

  /** A currently valid token with its expiry (for `tokentray token`). */
  async tokenFor(accountId: string, proto?: Proto): Promise<{ grant: TokenGrant; expiresAt: number }> {
    const entry = this.#entries.get(accountId);
    if (!entry) throw this.#notFound(accountId);
    const chosen = proto ?? (profileServes(entry.record.profile, 'api') ? 'api' : 'imap');
    const grant = await this.grantFor(accountId, chosen);
    return { grant, expiresAt: entry.token?.expiresAt ?? 0 };
  }

  #pick(entry: Entry, proto: Proto): TokenGrant {
    return (proto === 'smtp' ? entry.senderGrant : entry.mailboxGrant) as TokenGrant;
  }

  #slowGrant(entry: Entry, proto: Proto, now: number): TokenGrant | Promise<TokenGrant> {
    if (entry.state.kind === 'needs-sign-in' && entry.state.reason.code === SIGNED_IN_ELSEWHERE && this.#elsewhere(entry) === null) {
      this.#revive(entry); // the setting was restored: try again
    }
    if (entry.state.kind === 'needs-sign-in') throw this.#needsSignIn(entry);
    // Not warmed up yet (start): a token already in the provider's cache is served at once.
    if (!entry.token && this.#seed(entry) && now < entry.refreshDue) return this.#pick(entry, proto);
    if (entry.token && now < entry.serveUntil) {
      // Still good enough to hand out: answer now, renew in the background.
      if (now >= entry.retryAt) void this.#background(entry);
      return this.#pick(entry, proto);
    }
    if (now < entry.retryAt && entry.inflight === null) throw this.#unavailable(entry, now);
    return this.refresh(entry.record.id).then(() => {
      if (entry.token && this.#now() < entry.serveUntil) return this.#pick(entry, proto);
      if (entry.state.kind === 'needs-sign-in') throw this.#needsSignIn(entry);
      throw this.#unavailable(entry, this.#now());
    });
  }

  // ---- refreshing -----------------------------------------------------------------------

  /** Refreshes one account; concurrent calls share one identity-provider round trip. */
  refresh(accountId: string): Promise<void> {
    const entry = this.#entry(accountId);
    entry.inflight ??= this.#runRefresh(entry).finally(() => {
      entry.inflight = null;
      this.#changed(accountId);
    });
    return entry.inflight;
  }

  async #runRefresh(entry: Entry): Promise<void> {
    const { record } = entry;
    const elsewhere = this.#elsewhere(entry);
    if (elsewhere !== null) return this.#markElsewhere(entry, elsewhere);
    const startedAt = this.#now();
    const expiresAt = entry.token?.expiresAt ?? null;
    entry.state = { kind: 'refreshing', expiresAt };
    this.#changed(record.id);
    const provider = this.#provider(entry);
    const scopes = provider.scopesFor(record.profile);
    // A cached token that is due but still servable is kept if the forced refresh fails
    // (start at login before the network is up).
    let cached: { result: TokenResult; obtainedAt: number } | null = null;
    try {
      const client = provider.client();
      // With no token in memory, MSAL's cache may have a good one (after a restart): use it
      // unless it is already inside our refresh window; otherwise force a refresh.
      const forced = entry.token !== null;
      const peeked = forced ? null : client.cachedToken?.(record.homeAccountId, scopes) ?? null;
      let result = peeked ?? (await client.acquireSilent(record.homeAccountId, scopes, forced));
      let fresh = forced || !result.fromCache;
      let obtainedAt = fresh ? startedAt : this.#obtainedAtOfCached(record, result.expiresAt, startedAt);
      if (isRefreshDue({ expiresAt: result.expiresAt, obtainedAt }, this.#now())) {
        cached = { result, obtainedAt };
        result = await client.acquireSilent(record.homeAccountId, scopes, true);
        obtainedAt = startedAt;
        fresh = true;
      }
      if (fresh) this.#deps.onTokenObtained?.(record.id, { obtainedAt, expiresAt: result.expiresAt });
      entry.failures = 0;
      entry.retryAt = 0;
      entry.lastError = null;
      this.#hold(entry, result, obtainedAt);
    } catch (error) {
      if (cached && !entry.token) this.#hold(entry, cached.result, cached.obtainedAt);
      this.#fail(entry, provider, error);
    }
  }

  #provider(entry: Entry): IdentityProvider {
    return this.#deps.providers(providerOfRecord(entry.record));
  }

  /**
   * Holds the token the provider's cache has for an account not yet warmed up, if any,
   * synchronously (no MSAL call, no I/O). True when the entry now holds a token.
   */
  #seed(entry: Entry): boolean {
    if (entry.seeded || entry.token || entry.inflight) return entry.token !== null;
    if (this.#elsewhere(entry) !== null) return false; // signed in elsewhere: the refresh path names it
    entry.seeded = true;
    let cached: TokenResult | null = null;
    try {
      const provider = this.#provider(entry);
      cached = provider.client().cachedToken?.(entry.record.homeAccountId, provider.scopesFor(entry.record.profile)) ?? null;
    } catch {
      return false; // not configured, unreadable cache: the refresh path reports it properly
    }
    if (!cached || cached.homeAccountId !== entry.record.homeAccountId) return false;
    const now = this.#now();
    const obtainedAt = this.#obtainedAtOfCached(entry.record, cached.expiresAt, now);
    if (isRefreshDue({ expiresAt: cached.expiresAt, obtainedAt }, now)) return false;
    this.#hold(entry, cached, obtainedAt);
    this.#changed(entry.record.id);
    return true;
  }

  /** The age of a token MSAL returned from its cache: as recorded, else assume a full lifetime. */
  #obtainedAtOfCached(record: AccountRecord, expiresAt: number, now: number): number {
    // MSAL's cache keeps expiry in whole seconds: match within that precision.
    if (record.lastToken && Math.abs(record.lastToken.expiresAt - expiresAt) < EXPIRY_MATCH_TOLERANCE_MS) return record.lastToken.obtainedAt;
    return Math.min(now, expiresAt - ASSUMED_LIFETIME_MS);
  }

  #hold(entry: Entry, result: TokenResult, obtainedAt: number): void {
    const token = { accessToken: result.accessToken, expiresAt: result.expiresAt, obtainedAt };
    entry.token = token;
    entry.refreshDue = refreshDueAt(token);
    entry.serveUntil = serveUntil(token);
    const username = entry.record.username;
    entry.senderGrant = { user: username, accessToken: result.accessToken };
    entry.mailboxGrant = { user: entry.record.sharedMailbox ?? username, accessToken: result.accessToken };
    entry.state = { kind: 'active', expiresAt: result.expiresAt };
  }

  #fail(entry: Entry, provider: IdentityProvider, error: unknown): void {
    const failure = provider.classifyRefreshFailure(error);
    const now = this.#now();
    const log = this.#deps.logger;
    if (failure.kind === 'needs-sign-in') {
      entry.token = null;
      entry.mailboxGrant = entry.senderGrant = null;
      entry.state = { kind: 'needs-sign-in', reason: failure.reason };
      entry.lastError = { code: 'NEEDS_SIGN_IN', message: `${failure.reason.code}: ${failure.reason.summary}`, at: now };
      entry.localVerdict = failure.verdict === 'local-cache';
      log.warn(`account ${entry.record.id} needs sign-in`, { reason: failure.reason.code, verdict: failure.verdict });
      // The provider's cache had nothing usable: no one said the grant is dead, keep everything.
      if (failure.verdict !== 'identity-provider') return;
      // The identity provider rejected the refresh token: drop it from the provider's cache
      // (and so from the vault on disk). Only this explicit verdict deletes credentials. Where
      // grants are kept per scope (Google), only the rejected one goes (see removeGrant).
      const scopes = provider.scopesFor(entry.record.profile);
      Promise.resolve()
        .then(() => {
          const client = provider.client();
          return client.removeGrant ? client.removeGrant(entry.record.homeAccountId, scopes) : client.removeAccount(entry.record.homeAccountId);
        })
        .catch((removeError: unknown) => log.error('could not drop a rejected refresh token', { error: removeError }));
      return;
    }
    entry.failures += 1;
    entry.retryAt = now + retryDelayMs(entry.failures, this.#random, failure.retryAfterMs ?? 0);
    entry.lastError = { code: 'IDP_UNAVAILABLE', message: failure.message, at: now };
    const stillValid = entry.token && now < entry.token.expiresAt ? entry.token.expiresAt : null;
    entry.state = { kind: 'failing', error: failure.message, retryAt: entry.retryAt, expiresAt: stillValid };
    log.warn(`refresh of ${entry.record.id} failed; retrying`, { error: failure.message, retryAt: new Date(entry.retryAt).toISOString() });
  }

  /** Queues a refresh behind at most BACKGROUND_CONCURRENCY others; resolves when it is done. */
  #background(entry: Entry): Promise<void> {
    if (entry.inflight) return entry.inflight;
    const waiters = this.#queue.get(entry);
    const done = new Promise<void>((resolve) => (waiters ? waiters.push(resolve) : this.#queue.set(entry, [resolve])));
    this.#pump();
    return done;
  }

  #pump(): void {
    while (this.#running < BACKGROUND_CONCURRENCY && this.#queue.size > 0) {
      const [entry, waiters] = this.#queue.entries().next().value as [Entry, (() => void)[]];
      this.#queue.delete(entry);
      const finish = (): void => {
        for (const resolve of waiters) resolve();
      };
      // Removed, refreshed meanwhile by a request, or fresh after all: nothing to do.
      const current = this.#entries.get(entry.record.id) === entry;
      if (!current || entry.state.kind === 'needs-sign-in' || (entry.token && this.#now() < entry.refreshDue && !entry.inflight)) {
        finish();
        continue;
      }
      this.#running += 1;
      this.refresh(entry.record.id)
        .catch(() => undefined) // #runRefresh never rejects; belt and braces
        .finally(() => {
          this.#running -= 1;
          finish();
          this.#pump();
        });
    }
  }

  // ---- sign-in target (settings changes) ------------------------------------------------

  /** The needs-sign-in reason when the account signed in with another authority/app than configured. */
  #elsewhere(entry: Entry): SignInReason | null {
    const recorded = entry.record.signedInWith;
    const current = this.#deps.signInTarget?.(providerOfRecord(entry.record));
    if (!recorded || !current || sameSignInTarget(recorded, current)) return null;
    return signedInElsewhereReason(recorded, current);
  }

  #markElsewhere(entry: Entry, reason: SignInReason): void {
    const already = entry.state.kind === 'needs-sign-in' && entry.state.reason.code === SIGNED_IN_ELSEWHERE;
    // Only the in-memory copy goes; MSAL's cache and the vault keep every token.
    entry.token = null;
    entry.mailboxGrant = entry.senderGrant = null;
    entry.refreshDue = entry.serveUntil = 0;
    entry.state = { kind: 'needs-sign-in', reason };
    entry.lastError = { code: SIGNED_IN_ELSEWHERE, message: reason.summary, at: this.#now() };
    if (!already) this.#deps.logger.warn(`account ${entry.record.id} signed in with another authority or app than configured; tokens kept, not refreshed`);
    this.#changed(entry.record.id);
  }

  #revive(entry: Entry): void {
    entry.state = { kind: 'signed-out' };
    entry.localVerdict = false;
    entry.failures = 0;
    entry.retryAt = 0;
    entry.lastError = null;
  }

  /**
   * After a settings change that moves sign-in (authority, cloud, tenant, app): accounts
   * recorded elsewhere stop being refreshed, and those the change cured (the setting was
   * restored, or MSAL's cache only lacked tokens for the other authority) are tried again.
   */
  reviewSignInTargets(): void {
    for (const entry of this.#entries.values()) {
      const elsewhere = this.#elsewhere(entry);
      if (elsewhere !== null) {
        if (!entry.inflight) this.#markElsewhere(entry, elsewhere);
        continue;
      }
      const cured = entry.state.kind === 'needs-sign-in' && (entry.state.reason.code === SIGNED_IN_ELSEWHERE || entry.localVerdict);
      if (!cured) continue;
      this.#revive(entry);
      this.#changed(entry.record.id);
      void this.#background(entry);
    }
  }

  // ---- the refresher --------------------------------------------------------------------

  /**
   * Loads every account's token: from the provider's cache where it has a good one (no
   * network), else by refreshing, a few at a time in the background queue. Gives the event
   * loop back every few ms, so the auth server answers while 1,000 accounts warm up; a
   * request for an account still waiting is served (or refreshed) at once, ahead of the queue.
   */
  async warmUp(): Promise<void> {
    const waits: Promise<void>[] = [];
    let sliceStart = this.#monotonicNow();
    for (const entry of [...this.#entries.values()]) {
      if (this.#entries.get(entry.record.id) !== entry || entry.state.kind === 'needs-sign-in') continue;
      if (!(this.#seed(entry) && this.#now() < entry.refreshDue)) waits.push(this.#background(entry));
      if (this.#monotonicNow() - sliceStart >= WARM_UP_SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = this.#monotonicNow();
      }
    }
    await Promise.all(waits);
  }

  /** One pass of the proactive refresher: renew whatever is due. */
  tick(): void {
    const now = this.#now();
    if (this.#lastTickAt && clockJumped(this.#lastTickAt, now)) {
      this.#deps.logger.info('clock jump or resume from sleep detected; re-checking every account');
    }
    this.#lastTickAt = now;
    for (const entry of this.#entries.values()) {
      const kind = entry.state.kind;
      if (kind === 'needs-sign-in' || entry.inflight || now < entry.retryAt) continue;
      if (!entry.token || now >= entry.refreshDue) void this.#background(entry);
    }
  }

  /** Starts waking every REFRESHER_TICK_MS (short, so sleep/resume is noticed quickly). */
  startRefresher(tickMs = REFRESHER_TICK_MS): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.tick(), tickMs);
    this.#timer.unref();
  }

  stopRefresher(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Resolves when no refresh is in flight (for a clean shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((entry) => entry.inflight ?? Promise.resolve()));
  }

  // ---- errors ---------------------------------------------------------------------------

  #entry(accountId: string): Entry {
    const entry = this.#entries.get(accountId);
    if (!entry) throw this.#notFound(accountId);
    return entry;
  }

  #changed(accountId: string): void {
    this.#deps.onChange?.(accountId);
  }

  #notFound(accountId: string): TokentrayError {
    return new TokentrayError('ACCOUNT_NOT_FOUND', `There is no tokentray account "${accountId}".`, { details: { account: accountId } });
  }

  #profileMismatch(entry: Entry, proto: Proto): TokentrayError {
    const wanted = profilesOf(providerOfRecord(entry.record)).find((profile) => profileServes(profile, proto)) ?? 'another';
    return new TokentrayError(
      'PROFILE_MISMATCH',
      `Account "${entry.record.id}" has the ${entry.record.profile} profile, but proto=${proto} needs the ${wanted} profile.`,
      { details: { account: entry.record.id, profile: entry.record.profile, proto } },
    );
  }

  #needsSignIn(entry: Entry): TokentrayError {
    const reason = entry.state.kind === 'needs-sign-in' ? entry.state.reason : { code: 'unknown', summary: 'sign-in expired' };
    if (reason.code === SIGNED_IN_ELSEWHERE) {
      return new TokentrayError('SIGNED_IN_ELSEWHERE', `Account "${entry.record.id}" ${reason.summary}.`, {
        details: { account: entry.record.id, reason: reason.code, summary: reason.summary },
      });
    }
    return new TokentrayError('NEEDS_SIGN_IN', `Account "${entry.record.id}" needs sign-in: ${reason.code} (${reason.summary}).`, {
      hint: `Sign in again: tray menu → ${entry.record.id} → "Sign in again", or \`tokentray account add ${entry.record.id}\`.`,
      details: { account: entry.record.id, reason: reason.code, summary: reason.summary },
    });
  }

  #unavailable(entry: Entry, now: number): TokentrayError {
    const retryAfterSeconds = Math.max(1, Math.ceil((entry.retryAt - now) / 1000));
    return new TokentrayError('IDP_UNAVAILABLE', `No valid token for "${entry.record.id}" and ${this.#provider(entry).label} sign-in cannot be reached right now (${entry.lastError?.message ?? 'unknown error'}).`, {
      details: { account: entry.record.id, retryAfterSeconds },
    });
  }
}
