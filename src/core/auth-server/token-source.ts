import type { Proto, RequestRecord } from '../../shared/account-status.js';

/** What the auth server hands EmailEngine: exactly these two fields. */
export interface TokenGrant {
  user: string;
  accessToken: string;
}

/**
 * Where the auth server gets tokens from (the token broker in production, fakes in tests).
 *
 * `grantFor` answers synchronously from memory when a token good enough to serve is cached
 * (the hot path: no promise, no I/O) and returns a promise only when it must refresh first.
 * It throws (or rejects with) a TokentrayError: ACCOUNT_NOT_FOUND, NEEDS_SIGN_IN,
 * PROFILE_MISMATCH, IDP_UNAVAILABLE (with details.retryAfterSeconds).
 */
export interface TokenSource {
  grantFor(accountId: string, proto: Proto): TokenGrant | Promise<TokenGrant>;
}

/**
 * Where the auth server reports each request (for `tokentray status` and the Activity view).
 *
 * The auth server fills one record object and reuses it for every request (nothing allocated
 * per request), so `record` copies what it keeps and never holds on to `entry`.
 */
export interface RequestRecorder {
  record(entry: Readonly<RequestRecord>): void;
}
