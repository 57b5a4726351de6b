/**
 * Google's OAuth errors translated into tokentray's vocabulary, at the adapter.
 *
 * The rule for refreshes is the Microsoft one: only Google's explicit verdict that the grant
 * is dead (`invalid_grant`) means "sign in again"; network failures, 5xx and 429 are
 * transient. invalid_grant has several causes Google does not tell apart in the answer; the
 * refresh token's age does tell one: apps in "Testing" publishing status get refresh tokens
 * that expire seven days after they were issued.
 */
import type { SignInReason } from '../../../shared/account-status.js';
import { TokentrayError } from '../../../shared/tokentray-error.js';
import type { RefreshFailure, SignInOutcome } from '../identity-provider.js';
import { signInEndError } from '../interactive-sign-in.js';

const DAY_MS = 24 * 60 * 60_000;
/** A refresh token that dies within this window of its 7th day most likely hit the Testing limit. */
const TESTING_EXPIRY_FROM_MS = 7 * DAY_MS - 2 * 60 * 60_000;
const TESTING_EXPIRY_UNTIL_MS = 8 * DAY_MS;

export const TESTING_STATUS_ADVICE =
  'Apps in "Testing" publishing status get refresh tokens that expire after 7 days: publish the app (OAuth consent screen → Publish app, "In production") to keep sign-ins.';

interface GoogleLikeError {
  errorCode?: string;
  errorMessage?: string;
  refreshTokenAgeMs?: number;
  code?: string | number;
  status?: number;
  message?: string;
  response?: { status?: number; data?: unknown };
}

function fields(error: unknown): GoogleLikeError {
  return typeof error === 'object' && error !== null ? (error as GoogleLikeError) : { message: String(error) };
}

/** The OAuth `error` and `error_description`, from our own errors or from a gaxios response. */
function oauthError(error: unknown): { code: string | null; description: string; status: number | null } {
  const e = fields(error);
  const data = e.response?.data;
  const body = typeof data === 'object' && data !== null ? (data as { error?: unknown; error_description?: unknown }) : {};
  const code = e.errorCode ?? (typeof body.error === 'string' ? body.error : null);
  const description = e.errorMessage ?? (typeof body.error_description === 'string' ? body.error_description : e.message ?? '');
  return { code, description, status: e.response?.status ?? e.status ?? null };
}

/** A short, secret-free description for status lines and logs. */
export function describeGoogleError(error: unknown): string {
  const { code, status } = oauthError(error);
  const network = fields(error).code;
  return [code ?? (typeof network === 'string' ? network : 'error'), status ? `HTTP ${status}` : ''].filter(Boolean).join(', ');
}

export function googleSignInReason(error: unknown): SignInReason {
  const e = fields(error);
  const { code } = oauthError(error);
  if (code === 'no_account_found') return { code: 'no_account_found', summary: 'no saved sign-in' };
  const age = e.refreshTokenAgeMs;
  if (age !== undefined && age >= TESTING_EXPIRY_FROM_MS && age <= TESTING_EXPIRY_UNTIL_MS) {
    return { code: 'invalid_grant', summary: 'expired after 7 days: the Google app is in "Testing" status' };
  }
  return { code: 'invalid_grant', summary: 'revoked, password changed, or unused for 6 months' };
}

export function classifyGoogleRefreshFailure(error: unknown): RefreshFailure {
  const { code, status } = oauthError(error);
  // no_account_found is our own cache lookup; invalid_grant is Google's verdict.
  if (code === 'invalid_grant' || code === 'no_account_found') {
    return { kind: 'needs-sign-in', reason: googleSignInReason(error), verdict: code === 'invalid_grant' ? 'identity-provider' : 'local-cache' };
  }
  return { kind: 'transient', message: describeGoogleError(error), retryAfterMs: status === 429 ? 60_000 : null };
}

const NETWORK = /ENOTFOUND|ECONN|ETIMEDOUT|EAI_AGAIN|fetch failed|network/i;

/** Translates a failed interactive sign-in; `ended` says whether tokentray itself ended it. */
export function translateGoogleInteractiveError(error: unknown, ended: SignInOutcome): TokentrayError {
  if (error instanceof TokentrayError) return error;
  const ending = signInEndError(error, ended);
  if (ending) return ending;
  const { code, description, status } = oauthError(error);
  const explained = `${code ?? 'error'}${description && description !== code ? ` (${description.slice(0, 200)})` : ''}`;
  if (/restricted scope|unverified|not (?:been )?verified|verification process/i.test(description) || code === 'restricted_client') {
    return new TokentrayError('SIGN_IN_APP_UNVERIFIED', `Google refused the sign-in: ${explained}.`, { cause: error });
  }
  switch (code) {
    case 'access_denied':
      return new TokentrayError('SIGN_IN_CONSENT_DENIED', `Google sign-in ended without consent: ${explained}.`, {
        cause: error,
        hint: 'Accept Google\'s consent screen and tick every permission. If the app is in "Testing" status, add your address under OAuth consent screen → Test users.',
      });
    case 'scope_not_granted':
      return new TokentrayError('SIGN_IN_CONSENT_DENIED', `Google sign-in ended without the Gmail permission: ${explained}.`, {
        cause: error,
        hint: 'Sign in again and leave the Gmail permission ticked on Google\'s consent screen ("Read, compose, send and permanently delete all your email").',
      });
    case 'admin_policy_enforced':
    case 'org_internal':
      return new TokentrayError('SIGN_IN_BLOCKED', `Google refused the sign-in: ${explained}.`, {
        cause: error,
        hint:
          code === 'org_internal'
            ? 'The Google app is "Internal" to another Google Workspace organisation: use an app of your own organisation, or make it "External".'
            : 'Your Google Workspace administrator does not allow this app: ask them to trust it (Admin console → Security → API controls).',
      });
    case 'invalid_client':
    case 'unauthorized_client':
    case 'redirect_uri_mismatch':
      return new TokentrayError('SIGN_IN_FAILED', `Google sign-in failed: ${explained}.`, {
        cause: error,
        hint: 'Check `tokentray config get google.clientId` and the client secret: the OAuth client must be of type "Desktop app" (README, "Google app registration").',
      });
    default:
      break;
  }
  if (status === null && NETWORK.test(`${String(fields(error).code ?? '')} ${description}`)) {
    return new TokentrayError('IDP_UNAVAILABLE', `Google sign-in could not be reached (${describeGoogleError(error)}).`, { cause: error });
  }
  return new TokentrayError('SIGN_IN_FAILED', `Google sign-in failed: ${explained}.`, { cause: error });
}
