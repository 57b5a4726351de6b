/**
 * The mutable state behind the test controls: users, token lifetime, revocations, injected
 * failures, counters and every token issued.
 *
 * Invariant: a refresh token is usable at most once. It is "spent" the moment a refresh request
 * carrying it is let through to oidc-provider, and given back only if that request fails. This
 * makes a replayed or concurrently raced refresh token fail with invalid_grant the way Entra
 * rotation does, and keeps oidc-provider's own replay defence (which revokes the whole grant,
 * new refresh token included) from ever triggering.
 */
import { randomUUID } from 'node:crypto';
import type { RevocationAadstsCode } from './entra-errors.js';

/** Entra's default access token lifetime is 60-90 minutes; tests shorten it. */
export const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

/** A sign-in identity. `oid` is the object id Entra puts in `oid` and `client_info.uid`. */
export interface IdentityProviderUser {
  username: string;
  name: string;
  oid: string;
}

export interface IdentityProviderUserOption {
  username: string;
  name?: string;
  oid?: string;
}

export type InjectedFailureStatus = 500 | 503 | 429;

export type TokenGrantType = 'authorization_code' | 'refresh_token';

interface RefreshTokenRecord {
  username: string;
  /** Which interactive sign-in started this rotation chain (1, 2, ...). */
  signIn: number;
}

interface Revocation {
  code: RevocationAadstsCode;
  /** Chains started at or before this sign-in are dead; later sign-ins work again. */
  lastSignInBefore: number;
}

export class ProviderControls {
  readonly users: readonly IdentityProviderUser[];
  accessTokenLifetimeSeconds = DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS;
  /** Entra's device codes live 15 minutes; tests shorten it to see them expire. */
  deviceCodeLifetimeSeconds = 900;
  /** How often the client is told to poll (Entra says 5 s; tests say 1 s). */
  deviceCodePollIntervalSeconds = 1;
  tokenDelayMs = 0;

  #failure: { status: InjectedFailureStatus; remaining: number } | undefined;
  #revocations = new Map<string, Revocation>();
  #refreshTokens = new Map<string, RefreshTokenRecord>();
  #spentRefreshTokens = new Set<string>();
  #signIns = 0;
  #calls = new Map<string, number>();
  #issued: string[] = [];
  #resourceScopes = new Map<string, Set<string>>();

  constructor(users: readonly IdentityProviderUserOption[]) {
    this.users = users.map((user) => ({
      username: user.username,
      name: user.name ?? user.username.split('@')[0] ?? user.username,
      oid: user.oid ?? randomUUID(),
    }));
  }

  userByUsername(username: string): IdentityProviderUser | undefined {
    const wanted = username.trim().toLowerCase();
    return this.users.find((user) => user.username.toLowerCase() === wanted);
  }

  userByOid(oid: string): IdentityProviderUser | undefined {
    return this.users.find((user) => user.oid === oid);
  }

  setAccessTokenLifetime(seconds: number): void {
    if (!Number.isInteger(seconds) || seconds < 1) throw new RangeError(`access token lifetime must be a positive whole number of seconds, got ${seconds}`);
    this.accessTokenLifetimeSeconds = seconds;
  }

  setTokenDelay(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`token delay must be >= 0 ms, got ${ms}`);
    this.tokenDelayMs = ms;
  }

  revokeUser(username: string, code: RevocationAadstsCode): void {
    const user = this.#requireUser(username);
    this.#revocations.set(user.username, { code, lastSignInBefore: this.#signIns });
  }

  restoreUser(username: string): void {
    this.#revocations.delete(this.#requireUser(username).username);
  }

  /** The AADSTS code a refresh with this token must fail with, if its user was revoked. */
  revocationFor(refreshToken: string): RevocationAadstsCode | undefined {
    const record = this.#refreshTokens.get(refreshToken);
    if (!record) return undefined;
    const revocation = this.#revocations.get(record.username);
    return revocation && record.signIn <= revocation.lastSignInBefore ? revocation.code : undefined;
  }

  /** Marks a refresh token as spent; false when it already was (replay or concurrent use). */
  spendRefreshToken(refreshToken: string): boolean {
    if (this.#spentRefreshTokens.has(refreshToken)) return false;
    this.#spentRefreshTokens.add(refreshToken);
    return true;
  }

  /** Gives a refresh token back after the request that spent it failed. */
  unspendRefreshToken(refreshToken: string): void {
    this.#spentRefreshTokens.delete(refreshToken);
  }

  /** Records a successful token response: new chain for a code grant, same chain for a refresh. */
  recordIssued(tokens: { username: string; accessToken: string; refreshToken?: string; idToken?: string; presentedRefreshToken?: string }): void {
    for (const token of [tokens.accessToken, tokens.refreshToken, tokens.idToken]) {
      if (token) this.#issued.push(token);
    }
    if (!tokens.refreshToken) return;
    const parent = tokens.presentedRefreshToken ? this.#refreshTokens.get(tokens.presentedRefreshToken) : undefined;
    const signIn = parent?.signIn ?? ++this.#signIns;
    this.#refreshTokens.set(tokens.refreshToken, { username: tokens.username, signIn });
  }

  failTokenRequests(failure: { status: InjectedFailureStatus; count: number }): void {
    if (![500, 503, 429].includes(failure.status)) throw new RangeError(`injected status must be 500, 503 or 429, got ${failure.status}`);
    this.#failure = failure.count > 0 ? { status: failure.status, remaining: failure.count } : undefined;
  }

  /** The status the current token request must fail with, if a failure is pending. */
  takeInjectedFailure(): InjectedFailureStatus | undefined {
    const failure = this.#failure;
    if (!failure) return undefined;
    failure.remaining -= 1;
    if (failure.remaining <= 0) this.#failure = undefined;
    return failure.status;
  }

  countTokenCall(grantType: string): void {
    this.#calls.set(grantType, (this.#calls.get(grantType) ?? 0) + 1);
  }

  tokenEndpointCalls(filter: { grantType?: TokenGrantType } = {}): number {
    if (filter.grantType) return this.#calls.get(filter.grantType) ?? 0;
    let total = 0;
    for (const count of this.#calls.values()) total += count;
    return total;
  }

  resetCounters(): void {
    this.#calls.clear();
  }

  issuedTokens(): string[] {
    return [...this.#issued];
  }

  /**
   * Remembers which scopes a resource was asked for and returns all of them.
   *
   * oidc-provider wants a resource server's scope list up front; Entra accepts whatever
   * permission the app registration lists, so we accept whatever the tests ask for.
   */
  rememberResourceScopes(resource: string, scopes: readonly string[]): string[] {
    const known = this.#resourceScopes.get(resource) ?? new Set<string>();
    for (const scope of scopes) known.add(scope);
    this.#resourceScopes.set(resource, known);
    return [...known];
  }

  #requireUser(username: string): IdentityProviderUser {
    const user = this.userByUsername(username);
    if (!user) throw new Error(`[identity-provider] unknown user ${username}`);
    return user;
  }
}
