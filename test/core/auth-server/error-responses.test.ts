import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokentrayError } from '../../../src/shared/tokentray-error.js';
import {
  INTERNAL_ERROR_RESPONSE,
  grantFailureResponse,
  refusalResponse,
  throttledResponse,
  type ErrorResponse,
  type HttpRefusal,
} from '../../../src/core/auth-server/error-responses.js';

const REFUSALS: [Exclude<HttpRefusal, 'throttled'>, number][] = [
  ['client_not_allowed', 403],
  ['host_not_allowed', 403],
  ['browser_request', 403],
  ['method_not_allowed', 405],
  ['not_found', 404],
  ['uri_too_long', 414],
  ['headers_too_large', 431],
  ['body_not_allowed', 413],
  ['malformed_request', 400],
  ['request_timeout', 408],
  ['host_missing', 400],
  ['header_repeated', 400],
  ['account_missing', 400],
  ['param_repeated', 400],
  ['proto_invalid', 400],
  ['encoding_invalid', 400],
  ['credentials_missing', 401],
  ['credentials_wrong', 401],
];

function assertWellFormed(response: ErrorResponse): void {
  assert.match(response.reason, /^[\x20-\x7e]{1,120}$/);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['error', 'message']);
  assert.equal(body.error, response.outcome);
  assert.equal(response.headers['Content-Length'], Buffer.byteLength(response.body));
  assert.equal(response.headers['Cache-Control'], 'no-store');
}

describe('error responses', () => {
  it('gives every HTTP-level refusal its status, a short reason and a JSON body', () => {
    for (const [refusal, status] of REFUSALS) {
      const response = refusalResponse(refusal);
      assert.equal(response.status, status, refusal);
      assert.equal(response.outcome, refusal);
      assertWellFormed(response);
    }
    assert.equal(refusalResponse('method_not_allowed').headers.Allow, 'GET, HEAD');
    assert.equal(refusalResponse('credentials_wrong').headers['WWW-Authenticate'], 'Basic realm="tokentray"');
    assert.equal(refusalResponse('uri_too_long').headers.Connection, 'close');
  });

  it('keeps 429 for throttled credentials, with Retry-After', () => {
    const response = throttledResponse(8);
    assert.equal(response.status, 429);
    assert.equal(response.headers['Retry-After'], 8);
    assertWellFormed(response);
  });

  it('maps token-source errors to statuses EmailEngine handles well', () => {
    const expectations: [TokentrayError, number, RegExp][] = [
      [new TokentrayError('ACCOUNT_NOT_FOUND', 'no'), 404, /^No account sales in tokentray/],
      [new TokentrayError('NEEDS_SIGN_IN', 'no', { details: { reason: 'AADSTS50173 password changed' } }), 409, /^Sign in to tokentray again for account sales \(AADSTS50173 password changed\)$/],
      [new TokentrayError('NEEDS_SIGN_IN', 'no'), 409, /^Sign in to tokentray again for account sales$/],
      [
        new TokentrayError('SIGNED_IN_ELSEWHERE', 'no', { details: { summary: 'signed in with another cloud (usgov): change the setting back or sign in again' } }),
        409,
        /^Account sales signed in with another cloud: change it back in tokentray or sign in again$/,
      ],
      [new TokentrayError('SIGNED_IN_ELSEWHERE', 'no'), 409, /^Account sales signed in with another authority, cloud or app: change it back/],
      [new TokentrayError('PROFILE_MISMATCH', 'no'), 422, /^Account sales cannot serve imap: register it in tokentray with the outlook profile$/],
      [new TokentrayError('IDP_UNAVAILABLE', 'no', { details: { retryAfterSeconds: 12.2 } }), 503, /Microsoft sign-in unreachable/],
      [new TokentrayError('ACCOUNT_ID_INVALID', 'no'), 400, /not a valid tokentray id/],
      [new TokentrayError('VAULT_BUSY', 'no'), 503, /VAULT_BUSY/],
    ];
    for (const [error, status, reason] of expectations) {
      const response = grantFailureResponse(error, 'sales', 'imap');
      assert.equal(response.status, status, error.code);
      assert.match(response.reason, reason);
      assert.equal(response.outcome, error.code);
      assertWellFormed(response);
      assert.ok((JSON.parse(response.body) as { message: string }).message.endsWith(error.hint), 'the body carries the shared hint');
    }
    assert.equal(grantFailureResponse(new TokentrayError('IDP_UNAVAILABLE', 'no', { details: { retryAfterSeconds: 12.2 } }), 'a', 'imap').headers['Retry-After'], 13);
    assert.equal(grantFailureResponse(new TokentrayError('IDP_UNAVAILABLE', 'no'), 'a', 'imap').headers['Retry-After'], 30);
  });

  it('says nothing about bugs', () => {
    assert.equal(grantFailureResponse(new Error('secret detail'), 'sales', 'imap'), INTERNAL_ERROR_RESPONSE);
    assert.equal(grantFailureResponse('thrown string', 'sales', 'imap'), INTERNAL_ERROR_RESPONSE);
    assert.equal(grantFailureResponse(new TokentrayError('INTERNAL', 'secret detail'), 'sales', 'imap'), INTERNAL_ERROR_RESPONSE);
    assert.equal(INTERNAL_ERROR_RESPONSE.status, 500);
    assert.ok(!INTERNAL_ERROR_RESPONSE.body.includes('secret detail'));
    assertWellFormed(INTERNAL_ERROR_RESPONSE);
  });

  it('keeps hostile account ids out of the reason phrase', () => {
    const response = grantFailureResponse(new TokentrayError('ACCOUNT_NOT_FOUND', 'no'), `\r\nX-Evil: 1${'✓'.repeat(100)}`, 'imap');
    assertWellFormed(response);
    assert.ok(!response.reason.includes('\n'));
  });
});
