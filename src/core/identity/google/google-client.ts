/**
 * The Google adapter's token client: the only file that knows google-auth-library's API.
 *
 * Sign-in is authorization code + PKCE (S256) in the system browser with a loopback redirect
 * on 127.0.0.1 (Google's "Desktop app" clients accept any port there). Tokens live in the
 * vault per Google identity (`sub`) and mail scope (google-grant-keys.ts): the same user may
 * be connected for IMAP/SMTP and for the Gmail API, each with its own grant. Google does not
 * rotate refresh tokens, so one refresh token serves until it is revoked, the password
 * changes, it goes unused for six months, or, for apps in "Testing" publishing status, seven
 * days pass.
 */
import { randomBytes } from 'node:crypto';
import { CodeChallengeMethod, OAuth2Client, type Credentials } from 'google-auth-library';
import { TokentrayError } from '../../../shared/tokentray-error.js';
import type { InteractiveOptions, TokenClient, TokenResult } from '../identity-provider.js';
import { LoopbackListener } from '../loopback-listener.js';
import type { GoogleTokenRecord } from '../../storage/vault.js';
import type { GoogleEndpoints } from './google-endpoints.js';
import { grantKeyFor, grantKeysOf, mailScopeOf } from './google-grant-keys.js';

/** Served from the vault's copy while this much validity is left (as MSAL does). */
const CACHE_MIN_VALIDITY_MS = 5 * 60_000;

/** The vault's Google records by key (google-grant-keys.ts). */
export interface GoogleTokenStore {
  get(key: string): GoogleTokenRecord | undefined;
  /** Stores `record` under `key` and drops the `replaced` keys in the same vault write. */
  put(key: string, record: GoogleTokenRecord, replaced: string[]): Promise<void>;
  delete(keys: string[]): Promise<void>;
}

export interface GoogleClientOptions {
  clientId: string;
  clientSecret: string;
  endpoints: GoogleEndpoints;
  store: GoogleTokenStore;
  now?: () => number;
  /** For identity providers with private CAs in-process (child processes use NODE_EXTRA_CA_CERTS). */
  fetchImplementation?: typeof fetch;
}

/** An error shaped like the ones google-errors.ts reads (`errorCode`, `errorMessage`). */
export function googleError(errorCode: string, errorMessage: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${errorCode}: ${errorMessage}`), { errorCode, errorMessage, ...extra });
}

interface IdTokenClaims {
  sub?: string;
  email?: string;
  aud?: string | string[];
}

function claimsOf(idToken: string | null | undefined, clientId: string): { sub: string; email: string } {
  // Straight from the token endpoint over TLS, so its signature need not be checked
  // (OpenID Connect Core 3.1.3.7); the audience still must be us.
  const payload = idToken?.split('.')[1];
  if (!payload) throw googleError('no_id_token', 'Google answered without an id token (the "openid email" scopes are missing).');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as IdTokenClaims;
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!claims.sub || !claims.email || !audience.includes(clientId)) {
    throw googleError('bad_id_token', 'Google answered with an id token that is not for this client or names no user.');
  }
  return { sub: claims.sub, email: claims.email };
}

/** The mail scope a request is for: every Google profile asks for exactly one. */
function requireMailScope(scopes: string[]): string {
  const mailScope = mailScopeOf(scopes);
  if (!mailScope) throw new TokentrayError('INTERNAL', `Google scopes without a Gmail scope: ${scopes.join(' ')}.`);
  return mailScope;
}

export class GoogleClient implements TokenClient {
  readonly #options: GoogleClientOptions;
  readonly #now: () => number;

  constructor(options: GoogleClientOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  #oauth(redirectUri?: string): OAuth2Client {
    const { clientId, clientSecret, endpoints, fetchImplementation } = this.#options;
    return new OAuth2Client({
      clientId,
      clientSecret,
      ...(redirectUri ? { redirectUri } : {}),
      endpoints,
      ...(fetchImplementation ? { transporterOptions: { fetchImplementation } } : {}),
    });
  }

  async acquireInteractive(options: InteractiveOptions): Promise<TokenResult> {
    const state = randomBytes(32).toString('base64url');
    // The shared capped listener: the browser gets its one-time start link, never this URL.
    const listener = await LoopbackListener.open({
      responseMode: 'query',
      redirectHost: '127.0.0.1',
      successPage: options.successPage,
      errorPage: options.errorPage,
      signal: options.signal,
    });
    try {
      const redirectUri = `${listener.redirectUri}/`; // as registered for Desktop apps: http://127.0.0.1:PORT/
      const oauth = this.#oauth(redirectUri);
      const { codeVerifier, codeChallenge } = await oauth.generateCodeVerifierAsync();
      const url = oauth.generateAuthUrl({
        access_type: 'offline', // a refresh token
        prompt: 'consent', // Google sends a refresh token only with a consent screen
        scope: options.scopes,
        state,
        code_challenge_method: CodeChallengeMethod.S256,
        code_challenge: codeChallenge!,
        ...(options.loginHint ? { login_hint: options.loginHint } : {}),
      });
      const startUrl = listener.expect(url, state);
      const answer = listener.response();
      await options.openBrowser(startUrl);
      const response = await answer;
      if (response.error) throw googleError(response.error, response.error_description ?? response.error);
      if (!response.code) throw googleError('no_auth_code_in_response', 'The sign-in answer had no authorization code.');
      const { tokens } = await oauth.getToken({ code: response.code, codeVerifier, redirect_uri: redirectUri });
      return await this.#keep(tokens, options.scopes);
    } finally {
      listener.close();
    }
  }

  /**
   * The record kept for one identity and mail scope, and where it is stored: its own key, or
   * (a vault from before grants were kept per scope) the bare `sub`, if that grant has the scope.
   */
  #find(subject: string, mailScope: string): { record: GoogleTokenRecord; legacy: string[] } | null {
    const own = this.#options.store.get(grantKeyFor(subject, mailScope));
    const legacy = this.#legacyKeys(subject, mailScope);
    if (own) return { record: own, legacy };
    const old = legacy.length > 0 ? this.#options.store.get(subject) : undefined;
    return old ? { record: old, legacy } : null;
  }

  /** The older vaults' bare-`sub` key, when the grant stored there is for this mail scope. */
  #legacyKeys(subject: string, mailScope: string): string[] {
    return this.#options.store.get(subject)?.scopes.includes(mailScope) ? [subject] : [];
  }

  /** Checks a fresh grant (every permission ticked, a refresh token) and stores it. */
  async #keep(tokens: Credentials, requested: string[]): Promise<TokenResult> {
    const granted = (tokens.scope ?? '').split(' ').filter(Boolean);
    const wanted = requireMailScope(requested);
    // Google's consent screen lets the user untick single permissions.
    if (!granted.includes(wanted)) throw googleError('scope_not_granted', `The permission ${wanted} was not granted.`);
    if (!tokens.refresh_token || !tokens.access_token) throw googleError('no_refresh_token', 'Google answered without a refresh token.');
    const { sub, email } = claimsOf(tokens.id_token, this.#options.clientId);
    const now = this.#now();
    const record: GoogleTokenRecord = {
      refreshToken: tokens.refresh_token,
      refreshTokenIssuedAt: now,
      accessToken: tokens.access_token,
      expiresAt: tokens.expiry_date ?? now,
      email,
      scopes: granted,
    };
    // A new grant replaces only this scope's: the identity's other mail scope keeps its own.
    await this.#options.store.put(grantKeyFor(sub, wanted), record, this.#legacyKeys(sub, wanted));
    return { accessToken: record.accessToken!, expiresAt: record.expiresAt, homeAccountId: sub, username: email, fromCache: false };
  }

  async acquireSilent(homeAccountId: string, scopes: string[], forceRefresh: boolean): Promise<TokenResult> {
    const mailScope = requireMailScope(scopes);
    const found = this.#find(homeAccountId, mailScope);
    if (!found) throw googleError('no_account_found', 'No saved sign-in for this account.');
    const { record } = found;
    const now = this.#now();
    const result = (accessToken: string, expiresAt: number, fromCache: boolean): TokenResult => ({
      accessToken,
      expiresAt,
      homeAccountId,
      username: record.email,
      fromCache,
    });
    if (!forceRefresh && record.accessToken && record.expiresAt - now > CACHE_MIN_VALIDITY_MS) {
      return result(record.accessToken, record.expiresAt, true);
    }
    const oauth = this.#oauth();
    oauth.setCredentials({ refresh_token: record.refreshToken });
    let credentials: Credentials;
    try {
      await oauth.getAccessToken();
      credentials = oauth.credentials;
    } catch (error) {
      // The refresh token's age tells a 7-day "Testing" expiry from other revocations.
      if (error && typeof error === 'object') Object.assign(error, { refreshTokenAgeMs: now - record.refreshTokenIssuedAt });
      throw error;
    }
    if (!credentials.access_token) throw new TokentrayError('SIGN_IN_FAILED', 'Google answered without an access token.');
    const rotated = credentials.refresh_token && credentials.refresh_token !== record.refreshToken;
    const next: GoogleTokenRecord = {
      ...record,
      accessToken: credentials.access_token,
      expiresAt: credentials.expiry_date ?? now,
      ...(rotated ? { refreshToken: credentials.refresh_token!, refreshTokenIssuedAt: now } : {}),
    };
    // A record read from an older vault's bare `sub` moves to its own key with this write.
    await this.#options.store.put(grantKeyFor(homeAccountId, mailScope), next, found.legacy);
    return result(next.accessToken!, next.expiresAt, false);
  }

  /** Forgets every grant of the identity (no account of it is left). */
  async removeAccount(homeAccountId: string): Promise<void> {
    const keys = grantKeysOf(homeAccountId).filter((key) => this.#options.store.get(key));
    if (keys.length > 0) await this.#options.store.delete(keys);
  }

  /**
   * Forgets only the grant for these scopes' mail scope; the identity's other one stays.
   *
   * Used when Google answered invalid_grant for this grant's refresh token, and when the last
   * account of this scope is removed while one of the other scope is left. On invalid_grant the
   * other grant is kept on purpose: Google judges each refresh token apart (the 7-day expiry of
   * "Testing" apps and the per-client token limit hit one token, not the other; a password
   * change or "Remove access" kills both, and the other's own next refresh then gets its own
   * invalid_grant). Dropping a grant that still works would demand a sign-in nobody needed.
   */
  async removeGrant(homeAccountId: string, scopes: string[]): Promise<void> {
    const mailScope = requireMailScope(scopes);
    const keys = [grantKeyFor(homeAccountId, mailScope), ...this.#legacyKeys(homeAccountId, mailScope)].filter((key) => this.#options.store.get(key));
    if (keys.length > 0) await this.#options.store.delete(keys);
  }
}
