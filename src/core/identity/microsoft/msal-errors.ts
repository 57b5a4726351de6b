/**
 * MSAL's errors translated into tokentray's vocabulary, at the adapter.
 *
 * The rule for refreshes: only an explicit answer from the identity provider ("this grant is
 * dead": invalid_grant, interaction_required, …) means "sign in again". Everything else
 * (network down, 5xx, 429, MSAL's own 60-second throttle after a 5xx, unknown errors) is
 * transient: the account keeps its refresh token and is retried with backoff.
 */
import { InteractionRequiredAuthError } from '@azure/msal-node';
import type { SignInReason } from '../../../shared/account-status.js';
import { TokentrayError } from '../../../shared/tokentray-error.js';
import type { RefreshFailure, SignInOutcome } from '../identity-provider.js';
import { AADSTS, BLOCKING_CODES, CONSENT_CODES, aadstsCodeIn } from './aadsts.js';
import { isDiskFull } from '../../storage/file-safety.js';
import { signInEndError } from '../interactive-sign-in.js';

interface MsalLikeError {
  errorCode?: string;
  errorMessage?: string;
  subError?: string;
  status?: number;
  httpStatus?: number;
  message?: string;
}

const SIGN_IN_AGAIN_CODES = new Set([
  'invalid_grant',
  'interaction_required',
  'consent_required',
  'login_required',
  'bad_token',
  'no_tokens_found',
  'refresh_token_expired',
  'no_account_found',
  'no_account_in_silent_request',
]);

/**
 * MSAL's own "nothing usable in the cache" answers: no identity provider was asked. They
 * follow from a settings change (another authority finds no tokens) as readily as from a
 * real loss, so they never justify deleting anything.
 */
const LOCAL_CACHE_CODES = new Set(['no_tokens_found', 'no_account_found', 'no_account_in_silent_request', 'refresh_token_expired']);


function fields(error: unknown): MsalLikeError {
  return typeof error === 'object' && error !== null ? (error as MsalLikeError) : { message: String(error) };
}

/** A short, secret-free description of an MSAL failure for status lines and logs. */
export function describeMsalError(error: unknown): string {
  const e = fields(error);
  const code = e.errorCode ?? '';
  const aadsts = aadstsCodeIn(e.errorMessage ?? e.message);
  const status = e.status ?? e.httpStatus;
  const parts = [code || 'error', aadsts ? `AADSTS${aadsts}` : '', status ? `HTTP ${status}` : ''].filter(Boolean);
  return parts.join(', ');
}

export function signInReasonFor(error: unknown): SignInReason {
  const e = fields(error);
  const aadsts = aadstsCodeIn(e.errorMessage ?? e.message);
  if (aadsts) return { code: `AADSTS${aadsts}`, summary: AADSTS[aadsts]?.summary ?? 'sign-in expired' };
  const code = e.errorCode || 'invalid_grant';
  const summary = code === 'no_tokens_found' || code.startsWith('no_account') ? 'no saved sign-in' : 'sign-in expired';
  return { code, summary };
}

export type { RefreshFailure, SignInOutcome };

/** msal-node's own device-code endings, and what the token endpoint answered while polling. */
function deviceCodeOutcome(e: MsalLikeError): { code: 'SIGN_IN_CANCELLED' | 'SIGN_IN_TIMEOUT' | 'SIGN_IN_CONSENT_DENIED'; message: string } | null {
  const text = `${e.errorCode ?? ''} ${e.errorMessage ?? e.message ?? ''}`;
  if (e.errorCode === 'device_code_polling_cancelled') return { code: 'SIGN_IN_CANCELLED', message: 'The device-code sign-in was cancelled.' };
  if (e.errorCode === 'user_timeout_reached') return { code: 'SIGN_IN_TIMEOUT', message: 'The device-code sign-in timed out.' };
  if (e.errorCode === 'device_code_expired' || (e.errorCode === 'post_request_failed' && /expired_token/.test(text))) {
    return { code: 'SIGN_IN_TIMEOUT', message: 'The device code expired before the sign-in was completed.' };
  }
  if (e.errorCode === 'post_request_failed' && /authorization_declined|access_denied/.test(text)) {
    return { code: 'SIGN_IN_CONSENT_DENIED', message: 'The device-code sign-in was declined on the other device.' };
  }
  return null;
}

export function classifyRefreshFailure(error: unknown): RefreshFailure {
  const e = fields(error);
  const isDeadGrant = error instanceof InteractionRequiredAuthError || SIGN_IN_AGAIN_CODES.has(e.errorCode ?? '') || e.subError === 'bad_token';
  if (isDeadGrant) {
    const local = LOCAL_CACHE_CODES.has(e.errorCode ?? '') && e.subError !== 'bad_token';
    return { kind: 'needs-sign-in', reason: signInReasonFor(error), verdict: local ? 'local-cache' : 'identity-provider' };
  }
  const throttled = e.errorCode === '90033' || e.status === 429 || e.httpStatus === 429;
  return { kind: 'transient', message: describeMsalError(error), retryAfterMs: throttled ? 60_000 : null };
}

/** Translates a failed interactive sign-in; `ended` says whether tokentray itself ended it. */
export function translateInteractiveError(error: unknown, ended: SignInOutcome): TokentrayError {
  if (error instanceof TokentrayError) return error;
  // Saving the tokens failed (MSAL passes the cache plugin's error on, sometimes wrapped).
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof TokentrayError) return cause;
  if (isDiskFull(error) || isDiskFull(cause)) return new TokentrayError('DISK_FULL', 'There was no disk space left to save the sign-in.', { cause: error });
  const ending = signInEndError(error, ended);
  if (ending) return ending;
  const e = fields(error);
  const deviceCode = deviceCodeOutcome(e);
  if (deviceCode) return new TokentrayError(deviceCode.code, deviceCode.message, { cause: error });
  const aadsts = aadstsCodeIn(e.errorMessage ?? e.message);
  const explained = aadsts ? `AADSTS${aadsts}${AADSTS[aadsts] ? ` (${AADSTS[aadsts].summary})` : ''}` : e.errorCode ?? 'unknown error';
  if ((aadsts && CONSENT_CODES.has(aadsts)) || (e.errorCode === 'access_denied' && !aadsts) || e.errorCode === 'consent_required') {
    return new TokentrayError('SIGN_IN_CONSENT_DENIED', `Microsoft sign-in ended without consent: ${explained}.`, { cause: error });
  }
  if (aadsts && BLOCKING_CODES.has(aadsts)) {
    return new TokentrayError('SIGN_IN_BLOCKED', `Microsoft refused the sign-in: ${explained}.`, {
      cause: error,
      hint: AADSTS[aadsts]?.advice,
    });
  }
  const transient = classifyRefreshFailure(error);
  if (transient.kind === 'transient' && /network|ENOTFOUND|ECONN|ETIMEDOUT|endpoints_resolution/i.test(`${e.errorCode} ${e.errorMessage ?? e.message}`)) {
    return new TokentrayError('IDP_UNAVAILABLE', `Microsoft sign-in could not be reached (${describeMsalError(error)}).`, { cause: error });
  }
  return new TokentrayError('SIGN_IN_FAILED', `Microsoft sign-in failed: ${explained}.`, {
    cause: error,
    hint: aadsts && AADSTS[aadsts] ? AADSTS[aadsts].advice : undefined,
  });
}
