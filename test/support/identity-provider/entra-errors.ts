/**
 * Entra ID (AADSTS) error catalogue and the JSON body shape of Entra's token endpoint errors.
 *
 * The descriptions are Entra's own wording, because the code under test only ever sees the
 * AADSTS number inside `error_description` (MSAL puts it in the message), exactly as in production.
 */
import { randomUUID } from 'node:crypto';

/** AADSTS codes a test can make the refresh grant fail with (see `revokeUser`). */
export type RevocationAadstsCode = 50173 | 70043 | 700082 | 65001;

/** Every AADSTS code this provider can answer with, and Entra's description of it. */
export const AADSTS_DESCRIPTIONS = {
  28000: 'Provided value for the input parameter scope is not valid because it contains more than one resource. Scope {scope} is not valid.',
  50011: "The redirect URI specified in the request does not match the redirect URIs configured for the application.",
  50034: "The user account {EmailHidden} does not exist in the tenant directory. To sign into this application, the account must be added to the directory.",
  50105: "Your administrator has configured the application tokentray to block users unless they are specifically granted ('assigned') access to the application. The signed in user '{EmailHidden}' is blocked because they are not a direct member of a group with access, nor had access directly assigned by an administrator. Please contact your administrator to assign access to this application.",
  50148: 'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.',
  50173: 'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on {issued} and the TokensValidFrom date (before which tokens are not valid) for this user is {now}.',
  54005: 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
  65001: "The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.",
  65004: 'User declined to consent to access the app.',
  70000: 'Provided grant is invalid or malformed.',
  70008: 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
  70016: 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
  70019: 'Verification code expired.',
  70011: "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid.",
  70043: 'The refresh token has expired or is invalid due to sign-in frequency checks by conditional access. The token was issued on {issued} and the maximum allowed lifetime for this request is 3600.',
  90033: 'A transient error has occurred. Please try again.',
  90055: 'The request was throttled: too many requests from this client. Retry after the interval in the Retry-After header.',
  700016: "Application with identifier '{clientId}' was not found in the directory. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
  700082: 'The refresh token has expired due to inactivity. The token was issued on {issued} and was inactive for 90.00:00:00.',
  900144: "The request body must contain the following parameter: '{parameter}'.",
  9002313: 'Invalid request. Request is malformed or invalid.',
} as const satisfies Record<number, string>;

export type AadstsCode = keyof typeof AADSTS_DESCRIPTIONS;

/** The JSON body Entra's token endpoint answers errors with. */
export interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

/** `"2024-05-01 10:11:12Z"`: the timestamp format Entra uses in error bodies and descriptions. */
export function entraTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** Fills `{placeholders}` in a catalogue description. */
export function aadstsMessage(code: AadstsCode, values: Record<string, string> = {}): string {
  const text = AADSTS_DESCRIPTIONS[code].replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
  return `AADSTS${code}: ${text}`;
}

/**
 * Builds an Entra-shaped token endpoint error.
 *
 * Entra appends trace id, correlation id and timestamp to the description too; MSAL shows the
 * description verbatim, so tests that match on `AADSTS50173` see what production shows.
 */
export function entraErrorBody(
  error: string,
  code: AadstsCode,
  options: { correlationId?: string; values?: Record<string, string>; detail?: string; now?: Date } = {},
): EntraErrorBody {
  const now = options.now ?? new Date();
  const traceId = randomUUID();
  const correlationId = options.correlationId || randomUUID();
  const timestamp = entraTimestamp(now);
  const detail = options.detail ? ` (${options.detail})` : '';
  return {
    error,
    error_description: `${aadstsMessage(code, options.values)}${detail} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}

/**
 * Maps an error oidc-provider produced at the token endpoint to the AADSTS code Entra uses for it.
 *
 * oidc-provider keeps `error_description` generic ("grant request is invalid") and puts the reason
 * in `error_detail` (see its lib/actions/grants/*.js and helpers/pkce.js); `detail` is that text,
 * empty when the PKCE check failed (it throws with a `cause` only).
 */
export function aadstsCodeForOidcProviderError(error: string, detail: string): AadstsCode {
  switch (error) {
    case 'invalid_grant':
      if (detail === '' || /PKCE|code_verifier/i.test(detail)) return 50148;
      if (/authorization code already consumed/i.test(detail)) return 54005;
      if (/expired/i.test(detail)) return 70008;
      return 70000;
    case 'invalid_client':
      return 700016;
    case 'invalid_scope':
      return 70011;
    case 'authorization_pending':
      return 70016;
    case 'expired_token':
      return 70019;
    case 'authorization_declined':
      return 65004;
    case 'invalid_request':
      return /missing required parameter/i.test(detail) ? 900144 : 9002313;
    default:
      return 9002313;
  }
}
