import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyGoogleRefreshFailure, translateGoogleInteractiveError } from '../../../../src/core/identity/google/google-errors.js';
import { googleError } from '../../../../src/core/identity/google/google-client.js';

const DAY_MS = 24 * 60 * 60_000;

/** A token-endpoint failure as gaxios hands it over. */
function gaxiosFailure(status: number, data: unknown, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error('request failed'), { response: { status, data }, status, ...extra });
}

describe('Google error translation', () => {
  it('turns invalid_grant into needs-sign-in, naming revocation, password change and 6 months unused', () => {
    const failure = classifyGoogleRefreshFailure(gaxiosFailure(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }, { refreshTokenAgeMs: 2 * DAY_MS }));
    assert.equal(failure.kind, 'needs-sign-in');
    assert.ok(failure.kind === 'needs-sign-in' && /revoked, password changed, or unused for 6 months/.test(failure.reason.summary));
  });

  it('recognises the 7-day expiry of apps in "Testing" status from the refresh token age', () => {
    const failure = classifyGoogleRefreshFailure(gaxiosFailure(400, { error: 'invalid_grant' }, { refreshTokenAgeMs: 7 * DAY_MS + 60_000 }));
    assert.ok(failure.kind === 'needs-sign-in' && /7 days/.test(failure.reason.summary) && /Testing/.test(failure.reason.summary));
  });

  it('keeps 5xx, 429 and network failures transient', () => {
    assert.equal(classifyGoogleRefreshFailure(gaxiosFailure(503, { error: 'backend_error' })).kind, 'transient');
    const throttled = classifyGoogleRefreshFailure(gaxiosFailure(429, { error: 'rate_limit_exceeded' }));
    assert.ok(throttled.kind === 'transient' && throttled.retryAfterMs === 60_000);
    assert.equal(classifyGoogleRefreshFailure(Object.assign(new Error('fetch failed'), { code: 'ECONNREFUSED' })).kind, 'transient');
    assert.equal(classifyGoogleRefreshFailure(gaxiosFailure(401, { error: 'invalid_client' })).kind, 'transient');
  });

  it('names declined consent, an unticked Gmail permission, admin blocks and unverified apps', () => {
    const denied = translateGoogleInteractiveError(googleError('access_denied', 'The user denied access.'), null);
    assert.equal(denied.code, 'SIGN_IN_CONSENT_DENIED');
    assert.match(denied.hint ?? '', /Test users/);
    assert.equal(translateGoogleInteractiveError(googleError('scope_not_granted', 'x'), null).code, 'SIGN_IN_CONSENT_DENIED');
    assert.equal(translateGoogleInteractiveError(googleError('admin_policy_enforced', 'x'), null).code, 'SIGN_IN_BLOCKED');
    assert.equal(translateGoogleInteractiveError(googleError('org_internal', 'x'), null).code, 'SIGN_IN_BLOCKED');
    const unverified = translateGoogleInteractiveError(googleError('access_denied', 'This app has not completed the Google verification process'), null);
    assert.equal(unverified.code, 'SIGN_IN_APP_UNVERIFIED');
    assert.equal(translateGoogleInteractiveError(googleError('invalid_client', 'x'), null).code, 'SIGN_IN_FAILED');
  });

  it('reports tokentray\'s own cancel and timeout as such, whatever Google said', () => {
    assert.equal(translateGoogleInteractiveError(googleError('access_denied', 'tokentray_cancelled'), 'cancelled').code, 'SIGN_IN_CANCELLED');
    assert.equal(translateGoogleInteractiveError(googleError('access_denied', 'tokentray_timeout'), 'timeout').code, 'SIGN_IN_TIMEOUT');
  });
});
