/**
 * Every failure the auth server can answer: status, reason phrase, JSON body, extra headers.
 *
 * EmailEngine ignores the body of a failed call and shows the user only
 * `Invalid response: <status> <reason phrase>` (see shared/EMAILENGINE.md), so the reason
 * phrase carries the fix in a few ASCII words; the JSON body `{"error","message"}` repeats it
 * at length for curl and logs. No token, credential or stack trace is ever in either.
 *
 * Two families of `error` codes:
 * - UPPER_CASE: a TokentrayError code from src/shared/error-codes.ts (the token source said
 *   no: ACCOUNT_NOT_FOUND, NEEDS_SIGN_IN, …); the message ends with that code's shared hint.
 * - lower_case: an HTTP-level refusal decided here before any token is looked at (wrong
 *   credentials, foreign Host, oversized request, …). These are not TokentrayErrors.
 *
 * Statuses are chosen for what EmailEngine does with them: 429 is retried five times within
 * ~15 s, so it is kept for throttled credential failures; 5xx is not retried by the fetch but
 * is by the SMTP queue, so it is kept for conditions that clear by themselves.
 */
import type { Proto } from '../../shared/account-status.js';
import { ERROR_HINTS, type ErrorCode } from '../../shared/error-codes.js';
import { isTokentrayError } from '../../shared/tokentray-error.js';
import { toPrintableAscii } from './printable-text.js';

/** Refusals decided by the HTTP layer itself (lower_case so they never read as an ErrorCode). */
export type HttpRefusal =
  | 'client_not_allowed'
  | 'host_not_allowed'
  | 'browser_request'
  | 'method_not_allowed'
  | 'not_found'
  | 'uri_too_long'
  | 'headers_too_large'
  | 'body_not_allowed'
  | 'malformed_request'
  | 'request_timeout'
  | 'host_missing'
  | 'header_repeated'
  | 'account_missing'
  | 'param_repeated'
  | 'proto_invalid'
  | 'encoding_invalid'
  | 'credentials_missing'
  | 'credentials_wrong'
  | 'throttled';

/** What the request log records: 'ok', an ErrorCode, or an HTTP-level refusal. */
export type Outcome = 'ok' | ErrorCode | HttpRefusal;

export type HeaderValues = Record<string, string | number>;

/** A complete answer, ready for `res.writeHead(status, reason, headers); res.end(body)`. */
export interface ErrorResponse {
  readonly status: number;
  readonly reason: string;
  readonly outcome: Exclude<Outcome, 'ok'>;
  readonly headers: Readonly<HeaderValues>;
  readonly body: string;
  /** Refusals where the rest of the connection cannot be trusted close it. */
  readonly closeConnection: boolean;
}

/** EmailEngine shows the reason phrase in its UI: enough room for a sentence, not a page. */
export const MAX_REASON_CHARS = 120;
/** Longest account id quoted in a reason phrase (ids may have up to 256 characters). */
export const MAX_ACCOUNT_IN_REASON_CHARS = 40;
/** Retry-After for IDP_UNAVAILABLE when the token source gave none. */
export const DEFAULT_IDP_RETRY_AFTER_SECONDS = 30;
const MAX_RETRY_AFTER_SECONDS = 3600;

const GET_THE_URL = 'Copy the authServer URL (with its credentials) from tokentray into EmailEngine\'s authServer setting.';

interface RefusalText {
  status: number;
  reason: string;
  message: string;
  closeConnection?: boolean;
  headers?: HeaderValues;
}

const REFUSALS: Record<Exclude<HttpRefusal, 'throttled'>, RefusalText> = {
  client_not_allowed: {
    status: 403,
    reason: 'Client address not allowed: add it to tokentray allowedClients',
    message: 'Only loopback and the addresses in the allowedClients setting may call the auth server: `tokentray config set allowedClients <EmailEngine address>`.',
    closeConnection: true,
  },
  host_not_allowed: {
    status: 403,
    reason: 'Host not allowed: call tokentray at 127.0.0.1 and its port',
    message: 'The Host header must name this server (127.0.0.1:PORT, localhost:PORT or [::1]:PORT). Requests through other names are refused to stop DNS rebinding.',
  },
  browser_request: {
    status: 403,
    reason: 'Browser requests are refused',
    message: 'Requests carrying Origin or a cross-site Sec-Fetch-Site header come from a web page and are refused. Only EmailEngine may call this server.',
  },
  method_not_allowed: {
    status: 405,
    reason: 'Method not allowed: use GET',
    message: 'The auth server answers GET and HEAD only.',
    headers: { Allow: 'GET, HEAD' },
  },
  not_found: {
    status: 404,
    reason: 'Not found: the path is /authentication',
    message: 'tokentray serves GET /authentication?account=<id>&proto=imap|smtp|api and GET /health only.',
  },
  uri_too_long: {
    status: 414,
    reason: 'URL too long',
    message: 'The request URL is longer than tokentray accepts. Check the authServer URL in EmailEngine.',
    closeConnection: true,
  },
  headers_too_large: {
    status: 431,
    reason: 'Request headers too large',
    message: 'The request headers are larger than tokentray accepts.',
    closeConnection: true,
  },
  body_not_allowed: {
    status: 413,
    reason: 'Request body not allowed',
    message: 'The auth server takes no request body: send GET without one.',
    closeConnection: true,
  },
  malformed_request: {
    status: 400,
    reason: 'Malformed HTTP request',
    message: 'The request is not valid HTTP/1.1.',
    closeConnection: true,
  },
  request_timeout: {
    status: 408,
    reason: 'Request not received in time',
    message: 'The request headers did not arrive in time; the connection is closed.',
    closeConnection: true,
  },
  host_missing: {
    status: 400,
    reason: 'Host header missing',
    message: 'HTTP/1.1 requests must carry exactly one Host header.',
    closeConnection: true,
  },
  header_repeated: {
    status: 400,
    reason: 'Host, Authorization or Origin header repeated',
    message: 'Host, Authorization, Origin, Sec-Fetch-Site and Content-Length may appear at most once.',
    closeConnection: true,
  },
  account_missing: {
    status: 400,
    reason: 'Bad request: account parameter missing',
    message: 'Call /authentication?account=<tokentray account id>&proto=imap|smtp|api.',
  },
  param_repeated: {
    status: 400,
    reason: 'Bad request: account or proto given twice',
    message: 'Give account and proto once each. EmailEngine sets them itself: remove them from the authServer URL.',
  },
  proto_invalid: {
    status: 400,
    reason: 'Bad request: proto must be imap, smtp or api',
    message: 'proto must be imap, smtp or api (EmailEngine sets it itself).',
  },
  encoding_invalid: {
    status: 400,
    reason: 'Bad request: invalid percent-encoding in the query',
    message: 'The account or proto parameter is not valid percent-encoded UTF-8.',
  },
  credentials_missing: {
    status: 401,
    reason: 'Credentials missing: use the authServer URL from tokentray',
    message: `The request carried no Basic credentials. ${GET_THE_URL}`,
    headers: { 'WWW-Authenticate': 'Basic realm="tokentray"' },
  },
  credentials_wrong: {
    status: 401,
    reason: 'Wrong credentials: use the authServer URL from tokentray',
    message: `The Basic credentials are wrong (the secret may have been rotated). ${GET_THE_URL}`,
    headers: { 'WWW-Authenticate': 'Basic realm="tokentray"' },
  },
};

function build(
  status: number,
  reason: string,
  outcome: Exclude<Outcome, 'ok'>,
  message: string,
  extraHeaders: HeaderValues | undefined,
  closeConnection: boolean,
): ErrorResponse {
  const body = JSON.stringify({ error: outcome, message });
  const headers: HeaderValues = {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
    ...extraHeaders,
  };
  if (closeConnection) headers.Connection = 'close';
  return Object.freeze({
    status,
    reason: toPrintableAscii(reason, MAX_REASON_CHARS),
    outcome,
    headers: Object.freeze(headers),
    body,
    closeConnection,
  });
}

// Built once: a refusal costs no serialization on the request path.
const PREPARED = new Map<HttpRefusal, ErrorResponse>(
  (Object.keys(REFUSALS) as Exclude<HttpRefusal, 'throttled'>[]).map((refusal) => {
    const text = REFUSALS[refusal];
    return [refusal, build(text.status, text.reason, refusal, text.message, text.headers, text.closeConnection ?? false)];
  }),
);

export function refusalResponse(refusal: Exclude<HttpRefusal, 'throttled'>): ErrorResponse {
  return PREPARED.get(refusal) as ErrorResponse;
}

/** 429 after repeated wrong credentials from one client (the only use of 429: see header). */
export function throttledResponse(retryAfterSeconds: number): ErrorResponse {
  const seconds = clampSeconds(retryAfterSeconds);
  return build(
    429,
    `Too many wrong credentials: fix authServer in EmailEngine, retry in ${seconds} s`,
    'throttled',
    `Too many requests with wrong credentials came from this address; tokentray does not check credentials from it for ${seconds} s. ${GET_THE_URL}`,
    { 'Retry-After': seconds },
    false,
  );
}

/** 500 for a bug: nothing about the cause leaves the process (it goes to the log). */
export const INTERNAL_ERROR_RESPONSE: ErrorResponse = build(
  500,
  'tokentray internal error: see the tokentray log',
  'INTERNAL',
  ERROR_HINTS.INTERNAL,
  undefined,
  false,
);

function clampSeconds(value: unknown): number {
  const n = typeof value === 'number' && Number.isFinite(value) ? Math.ceil(value) : DEFAULT_IDP_RETRY_AFTER_SECONDS;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, n));
}

/**
 * The answer for a failure of `TokenSource.grantFor`.
 *
 * Anything that is not a TokentrayError is a bug → 500 without details. A TokentrayError code
 * the source is not documented to throw (say KEYCHAIN_LOCKED) is a condition of this machine
 * that the user can clear → 503 with the error's own message, which never holds a secret.
 */
export function grantFailureResponse(error: unknown, account: string, proto: Proto): ErrorResponse {
  if (!isTokentrayError(error) || error.code === 'INTERNAL') return INTERNAL_ERROR_RESPONSE;
  const label = toPrintableAscii(account, MAX_ACCOUNT_IN_REASON_CHARS);
  const hint = error.hint;
  switch (error.code) {
    case 'ACCOUNT_NOT_FOUND':
      // 404 like EmailEngine's own example server; the id must be the same in both places.
      return build(404, `No account ${label} in tokentray: add it there with the same id`, error.code, `${error.message} ${hint}`, undefined, false);
    case 'ACCOUNT_ID_INVALID':
      return build(400, `Account id ${label} is not a valid tokentray id`, error.code, `${error.message} ${hint}`, undefined, false);
    case 'NEEDS_SIGN_IN': {
      // 409: the request is fine, the account's state is not, and only the user can change it.
      // Not 401 (that would blame EmailEngine's credentials) nor 5xx (nothing will fix itself).
      const cause = typeof error.details.reason === 'string' && error.details.reason !== '' ? ` (${toPrintableAscii(error.details.reason, 60)})` : '';
      return build(409, `Sign in to tokentray again for account ${label}${cause}`, error.code, `${error.message} ${hint}`, undefined, false);
    }
    case 'SIGNED_IN_ELSEWHERE': {
      // 409 as for NEEDS_SIGN_IN: nothing will fix itself. The phrase names the setting but
      // not its value (an authority URL would push the way out past the phrase's length).
      const summary = typeof error.details.summary === 'string' ? error.details.summary : '';
      const setting = /^signed in with another (authority|cloud|app)\b/.exec(summary)?.[1] ?? 'authority, cloud or app';
      return build(409, `Account ${label} signed in with another ${setting}: change it back in tokentray or sign in again`, error.code, `${error.message} ${hint}`, undefined, false);
    }
    case 'PROFILE_MISMATCH':
      // 422: well-formed and authorized, but this account cannot produce a token for this
      // proto (Outlook vs Graph). Distinct from 409 so the two causes never look alike.
      return build(
        422,
        `Account ${label} cannot serve ${proto}: register it in tokentray with the ${proto === 'api' ? 'graph' : 'outlook'} profile`,
        error.code,
        `${error.message} ${hint}`,
        undefined,
        false,
      );
    case 'IDP_UNAVAILABLE': {
      const seconds = clampSeconds(error.details.retryAfterSeconds);
      return build(
        503,
        `Microsoft sign-in unreachable for account ${label}: tokentray keeps retrying`,
        error.code,
        `${error.message} ${hint}`,
        { 'Retry-After': seconds },
        false,
      );
    }
    default:
      return build(503, `tokentray cannot serve tokens now: ${error.code}`, error.code, `${error.message} ${hint}`, undefined, false);
  }
}

/** 503 when the token source takes longer than the server waits (a refresh hanging). */
export function grantTimeoutResponse(account: string, retryAfterSeconds: number): ErrorResponse {
  const label = toPrintableAscii(account, MAX_ACCOUNT_IN_REASON_CHARS);
  return build(
    503,
    `Token refresh for account ${label} is taking too long: retry later`,
    'IDP_UNAVAILABLE',
    `Refreshing the token for this account did not finish in time. ${ERROR_HINTS.IDP_UNAVAILABLE}`,
    { 'Retry-After': clampSeconds(retryAfterSeconds) },
    false,
  );
}
