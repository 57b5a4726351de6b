import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AccountState } from '../../src/shared/account-status.js';
import type { AccountEmailEngineView } from '../../src/shared/emailengine.js';
import { describeBothSides, emailEngineHint, needsAttention } from '../../src/shared/emailengine-hints.js';

const ACTIVE: AccountState = { kind: 'active', expiresAt: Date.now() + 3_600_000 };
const NEEDS_SIGN_IN: AccountState = { kind: 'needs-sign-in', reason: { code: 'AADSTS50173', summary: 'password changed' } };

function view(state: AccountEmailEngineView['state'], response: string | null = null, overrides: Partial<AccountEmailEngineView> = {}): AccountEmailEngineView {
  return {
    presence: 'registered',
    state,
    lastError: response === null ? null : { response, serverResponseCode: null },
    checkedAt: 1,
    managed: true,
    hint: null,
    error: null,
    ...overrides,
  };
}

describe('emailEngineHint', () => {
  it('says nothing when both sides are fine', () => {
    assert.equal(emailEngineHint({ id: 'sales', state: ACTIVE }, view('connected')), null);
    assert.equal(describeBothSides({ id: 'sales', state: ACTIVE, emailengine: view('connected') }), 'tokentray: valid token · EmailEngine: connected');
  });

  it('points at the mailbox when the mail server refuses a valid token', () => {
    const line = describeBothSides({ id: 'sales', state: ACTIVE, emailengine: view('authenticationError', 'AUTHENTICATE failed') });
    assert.equal(line, 'tokentray: valid token · EmailEngine: authenticationError — IMAP disabled for this mailbox?');
    assert.equal(emailEngineHint({ id: 'sales', state: ACTIVE }, view('authenticationError', 'AUTHENTICATE failed'))?.diagnosis, 'mailbox-refused');
  });

  it('reads tokentray answers out of "Invalid response: <status> <reason>"', () => {
    const cases: Array<[string, AccountState, string]> = [
      ['Invalid response: 409 Sign in to tokentray again for account sales', NEEDS_SIGN_IN, 'sign-in-needed'],
      ['Invalid response: 409 Sign in to tokentray again for account sales', ACTIVE, 'signed-in-again'],
      ['Invalid response: 401 Unauthorized', ACTIVE, 'stale-secret'],
      ['Invalid response: 404 Unknown account', ACTIVE, 'unknown-account'],
      ['Invalid response: 403 Forbidden', ACTIVE, 'client-refused'],
      ['Invalid response: 429 Too Many Requests', ACTIVE, 'throttled'],
      ['Invalid response: 503 Service Unavailable', ACTIVE, 'token-unavailable'],
      ['fetch failed', ACTIVE, 'tokentray-unreachable'],
      ['connect ECONNREFUSED 127.0.0.1:993', ACTIVE, 'mail-server-unreachable'],
      ['something new', ACTIVE, 'failing'],
    ];
    for (const [response, state, diagnosis] of cases) {
      assert.equal(emailEngineHint({ id: 'sales', state }, view('authenticationError', response))?.diagnosis, diagnosis, response);
    }
  });

  it('names the account in the fix and warns before a stale connection fails', () => {
    const hint = emailEngineHint({ id: 'sales', state: NEEDS_SIGN_IN }, view('connected'));
    assert.equal(hint?.diagnosis, 'sign-in-needed');
    assert.match(hint?.fix ?? '', /tokentray account add sales/);
  });

  it('reports an unregistered account, an unreachable EmailEngine and a pending connect', () => {
    assert.equal(emailEngineHint({ id: 'a', state: ACTIVE }, view(null, null, { presence: 'missing' }))?.diagnosis, 'not-registered');
    const down = view(null, null, { presence: 'unknown', error: { code: 'EMAILENGINE_UNREACHABLE', message: 'connect ECONNREFUSED' } });
    assert.equal(emailEngineHint({ id: 'a', state: ACTIVE }, down)?.diagnosis, 'unreachable');
    assert.equal(emailEngineHint({ id: 'a', state: ACTIVE }, view('connecting'))?.diagnosis, 'pending');
    assert.equal(needsAttention({ id: 'a', state: ACTIVE, emailengine: view('connecting') }), false);
    assert.equal(needsAttention({ id: 'a', state: ACTIVE, emailengine: view('authenticationError', 'fetch failed') }), true);
    assert.equal(needsAttention({ id: 'a', state: ACTIVE, emailengine: null }), false);
  });
});
