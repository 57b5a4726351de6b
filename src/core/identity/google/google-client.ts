/**
 * The Google adapter's token client: the only file that knows google-auth-library's API.
 *
 * Sign-in is authorization code + PKCE (S256) in the system browser with a loopback redirect
 * on 127.0.0.1 (Google's "Desktop app" clients accept any port there). Tokens live in the
 * vault per Google identity (`sub`); Google does not rotate refresh tokens, so one refresh
 * token serves until it is revoked, the password changes, it goes unused for six months, or,
 * for apps in "Testing" publishing status, seven days pass.
 */
import { randomBytes } from 'node:crypto';
import { CodeChallengeMethod, OAuth2Client, type Credentials } from 'google-auth-library';
import { TokentrayError } from '../../../shared/tokentray-error.js';
import type { InteractiveOptions, TokenClient, TokenResult } from '../identity-provider.js';
import { LoopbackListener } from '../loopback-listener.js';
import type { GoogleTokenRecord } from '../../storage/vault.js';
import type { GoogleEndpoints } from './google-endpoints.js';
import { GMAIL_API_SCOPE, GMAIL_SCOPE } from './google-scopes.js';

/** Served from the vault's copy while this much validity is left (as MSAL does). */
const CACHE_MIN_VALIDITY_MS = 5 * 60_000;

export interface GoogleTokenStore {
  get(subject: string): GoogleTokenRecord | undefined;
  put(subject: string, record: GoogleTokenRecord): Promise<void>;
  delete(subject: string): Promise<void>;
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

function mailScopeOf(scopes: string[]): string | null {
  return scopes.find((scope) => scope === GMAIL_SCOPE || scope === GMAIL_API_SCOPE) ?? null;
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

  /** Checks a fresh grant (every permission ticked, a refresh token) and stores it. */
  async #keep(tokens: Credentials, requested: string[]): Promise<TokenResult> {
    const granted = (tokens.scope ?? '').split(' ').filter(Boolean);
    const wanted = mailScopeOf(requested);
    // Google's consent screen lets the user untick single permissions.
    if (wanted && !granted.includes(wanted)) throw googleError('scope_not_granted', `The permission ${wanted} was not granted.`);
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
    await this.#options.store.put(sub, record);
    return { accessToken: record.accessToken!, expiresAt: record.expiresAt, homeAccountId: sub, username: email, fromCache: false };
  }

  async acquireSilent(homeAccountId: string, _scopes: string[], forceRefresh: boolean): Promise<TokenResult> {
    const record = this.#options.store.get(homeAccountId);
    if (!record) throw googleError('no_account_found', 'No saved sign-in for this account.');
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
    await this.#options.store.put(homeAccountId, next);
    return result(next.accessToken!, next.expiresAt, false);
  }

  async removeAccount(homeAccountId: string): Promise<void> {
    if (this.#options.store.get(homeAccountId)) await this.#options.store.delete(homeAccountId);
  }
}
