import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import { classifyRefreshFailure, describeMsalError, translateInteractiveError } from '../../../../src/core/identity/microsoft/msal-errors.js';
import { TokentrayError } from '../../../../src/shared/tokentray-error.js';

function needsSignIn(error: unknown): { code: string; summary: string } {
  const failure = classifyRefreshFailure(error);
  assert.equal(failure.kind, 'needs-sign-in', `expected needs-sign-in for ${describeMsalError(error)}`);
  return failure.kind === 'needs-sign-in' ? failure.reason : { code: '', summary: '' };
}

function transient(error: unknown): { message: string; retryAfterMs: number | null } {
  const failure = classifyRefreshFailure(error);
  assert.equal(failure.kind, 'transient', `expected transient for ${describeMsalError(error)}`);
  return failure.kind === 'transient' ? failure : { message: '', retryAfterMs: null };
}

describe('classifyRefreshFailure', () => {
  it('reads a plain invalid_grant ServerError with AADSTS50173 as "sign in again: password changed"', () => {
    const error = new ServerError('invalid_grant', 'corr', 'AADSTS50173: The provided grant has expired due to it being revoked.');
    assert.deepEqual(needsSignIn(error), { code: 'AADSTS50173', summary: 'password changed' });
  });

  it('reads invalid_grant without an AADSTS code as "sign-in expired"', () => {
    assert.deepEqual(needsSignIn({ errorCode: 'invalid_grant' }), { code: 'invalid_grant', summary: 'sign-in expired' });
  });

  it('reads other known AADSTS codes in the message', () => {
    assert.deepEqual(needsSignIn({ errorCode: 'invalid_grant', errorMessage: 'AADSTS700082: The refresh token has expired due to inactivity.' }), {
      code: 'AADSTS700082',
      summary: 'unused for too long',
    });
  });

  it('reads interaction_required as "sign in again"', () => {
    assert.equal(needsSignIn({ errorCode: 'interaction_required', errorMessage: 'AADSTS50076: MFA required' }).code, 'AADSTS50076');
  });

  it('reads any InteractionRequiredAuthError instance as "sign in again"', () => {
    const error = new InteractionRequiredAuthError('some_new_code', 'corr', 'something MSAL decided');
    assert.deepEqual(needsSignIn(error), { code: 'some_new_code', summary: 'sign-in expired' });
  });

  it('reads the bad_token suberror as "sign in again"', () => {
    needsSignIn({ errorCode: 'something_else', subError: 'bad_token' });
    needsSignIn(new InteractionRequiredAuthError('invalid_grant', 'corr', 'AADSTS70008: expired', 'bad_token'));
  });

  it('reads no_account_found as "no saved sign-in"', () => {
    const error = Object.assign(new Error('No saved sign-in for this account.'), { errorCode: 'no_account_found' });
    assert.deepEqual(needsSignIn(error), { code: 'no_account_found', summary: 'no saved sign-in' });
  });

  it('treats a 503 as transient, with no throttle floor', () => {
    const failure = transient(new ServerError('temporarily_unavailable', 'corr', 'AADSTS90000: try later', undefined, undefined, 503));
    assert.equal(failure.retryAfterMs, null);
    assert.match(failure.message, /HTTP 503/);
  });

  it('treats network errors, unknown errors and non-errors as transient', () => {
    transient({ errorCode: 'network_error', errorMessage: 'getaddrinfo ENOTFOUND login.microsoftonline.com' });
    transient(new Error('socket hang up'));
    transient('a string');
    transient(null);
    transient(undefined);
  });

  it('gives MSAL throttling (90033) and HTTP 429 a 60-second floor', () => {
    assert.equal(transient({ errorCode: '90033' }).retryAfterMs, 60_000);
    assert.equal(transient({ errorCode: 'server_error', status: 429 }).retryAfterMs, 60_000);
    assert.equal(transient({ errorCode: 'server_error', httpStatus: 429 }).retryAfterMs, 60_000);
  });

  it('describes a failure without the message text (no secrets, no personal data)', () => {
    const text = describeMsalError({ errorCode: 'invalid_grant', errorMessage: 'AADSTS50173: revoked for alice@contoso.com', status: 400 });
    assert.equal(text, 'invalid_grant, AADSTS50173, HTTP 400');
  });
});

describe('translateInteractiveError', () => {
  function translated(error: unknown, ended: 'cancelled' | 'timeout' | null = null): TokentrayError {
    const result = translateInteractiveError(error, ended);
    assert.ok(result instanceof TokentrayError);
    return result;
  }

  it('reports a sign-in tokentray cancelled as SIGN_IN_CANCELLED', () => {
    const error = { errorCode: 'access_denied', errorMessage: 'tokentray_cancelled' };
    const result = translated(error, 'cancelled');
    assert.equal(result.code, 'SIGN_IN_CANCELLED');
    assert.equal(result.cause, error);
  });

  it('reports a sign-in tokentray ended on time-out as SIGN_IN_TIMEOUT', () => {
    assert.equal(translated({ errorCode: 'access_denied' }, 'timeout').code, 'SIGN_IN_TIMEOUT');
  });

  it('passes a TokentrayError through unchanged', () => {
    const original = new TokentrayError('BROWSER_OPEN_FAILED', 'no browser');
    assert.equal(translateInteractiveError(original, 'cancelled'), original);
  });

  it('reports declined consent (AADSTS65004) and a bare access_denied as SIGN_IN_CONSENT_DENIED', () => {
    assert.equal(translated({ errorCode: 'access_denied', errorMessage: 'AADSTS65004: User declined to consent.' }).code, 'SIGN_IN_CONSENT_DENIED');
    assert.equal(translated(new ServerError('access_denied', 'corr', 'the user said no')).code, 'SIGN_IN_CONSENT_DENIED');
    assert.equal(translated({ errorCode: 'invalid_grant', errorMessage: 'AADSTS65001: consent missing' }).code, 'SIGN_IN_CONSENT_DENIED');
    assert.equal(translated({ errorCode: 'consent_required' }).code, 'SIGN_IN_CONSENT_DENIED');
  });

  it('reports AADSTS50105 (not assigned) as SIGN_IN_BLOCKED with the advice as hint', () => {
    const result = translated({ errorCode: 'access_denied', errorMessage: 'AADSTS50105: The signed in user is not assigned to a role.' });
    assert.equal(result.code, 'SIGN_IN_BLOCKED');
    assert.match(result.message, /AADSTS50105 \(user not assigned to the app\)/);
    assert.match(result.hint, /assign you/);
  });

  it('reports AADSTS53003 (Conditional Access) as SIGN_IN_BLOCKED with the advice as hint', () => {
    const result = translated(new ServerError('access_denied', 'corr', 'AADSTS53003: Access has been blocked by Conditional Access policies.'));
    assert.equal(result.code, 'SIGN_IN_BLOCKED');
    assert.match(result.hint, /Conditional Access/);
  });

  it('reports an unreachable identity provider as IDP_UNAVAILABLE', () => {
    assert.equal(translated({ errorCode: 'network_error', errorMessage: 'connect ECONNREFUSED 127.0.0.1:443' }).code, 'IDP_UNAVAILABLE');
  });

  it('reports anything else as SIGN_IN_FAILED, with AADSTS advice when known', () => {
    const known = translated({ errorCode: 'invalid_client', errorMessage: 'AADSTS7000218: The request body must contain client_assertion.' });
    assert.equal(known.code, 'SIGN_IN_BLOCKED'); // 7000218 is a setup problem: blocked, with the fix as hint
    const unknown = translated({ errorCode: 'invalid_request', errorMessage: 'AADSTS90014: A required field is missing.' });
    assert.equal(unknown.code, 'SIGN_IN_FAILED');
    assert.match(unknown.message, /AADSTS90014/);
    const wrongPassword = translated({ errorCode: 'invalid_grant', errorMessage: 'AADSTS50126: Error validating credentials.' });
    assert.equal(wrongPassword.code, 'SIGN_IN_FAILED');
    assert.match(wrongPassword.hint, /right password/);
    assert.equal(translated(new Error('boom')).code, 'SIGN_IN_FAILED');
  });
});

describe('translateInteractiveError on a full disk', () => {
  it('names DISK_FULL for a real ENOSPC (writing /dev/full), bare or as the cause of a wrapper', { skip: process.platform !== 'linux' && 'needs /dev/full' }, async () => {
    const enospc = await writeFile('/dev/full', 'tokens').catch((error: unknown) => error);
    assert.equal((enospc as NodeJS.ErrnoException).code, 'ENOSPC');
    assert.equal(translateInteractiveError(enospc, null).code, 'DISK_FULL');
    assert.equal(translateInteractiveError(new Error('cache write failed', { cause: enospc }), null).code, 'DISK_FULL');
    const saved = new TokentrayError('DISK_FULL', 'There is no space left to write vault.bin.');
    assert.equal(translateInteractiveError(new Error('afterCacheAccess failed', { cause: saved }), null), saved);
  });
});

describe('device-code endings', () => {
  it('names msal-node\'s cancel, timeout and expiry, and a code declined on the other device', async () => {
    const { translateInteractiveError: translate } = await import('../../../../src/core/identity/microsoft/msal-errors.js');
    const withCode = (errorCode: string, errorMessage = ''): Error => Object.assign(new Error(errorMessage || errorCode), { errorCode, errorMessage });
    assert.equal(translate(withCode('device_code_polling_cancelled'), null).code, 'SIGN_IN_CANCELLED');
    assert.equal(translate(withCode('user_timeout_reached'), null).code, 'SIGN_IN_TIMEOUT');
    assert.equal(translate(withCode('device_code_expired'), null).code, 'SIGN_IN_TIMEOUT');
    assert.equal(translate(withCode('post_request_failed', 'expired_token'), null).code, 'SIGN_IN_TIMEOUT');
    assert.equal(translate(withCode('post_request_failed', 'authorization_declined'), null).code, 'SIGN_IN_CONSENT_DENIED');
    assert.equal(translate(withCode('device_code_polling_cancelled'), 'timeout').code, 'SIGN_IN_TIMEOUT', 'tokentray\'s own ending wins');
  });
});
