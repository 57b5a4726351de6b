import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeState, formatAgo, formatDuration, outcomeLabel, protoLabel, severity } from '../../renderer/format.js';
import type { AccountState } from '../../src/shared/account-status.js';

const NOW = Date.UTC(2025, 0, 15, 10, 0, 0);
const MIN = 60_000;

describe('window wording', () => {
  it('formats durations rounding down, and relative times', () => {
    assert.equal(formatDuration(40_500), '40 s');
    assert.equal(formatDuration(52 * MIN + 59_000), '52 min');
    assert.equal(formatDuration(125 * MIN), '2 h 05 min');
    assert.equal(formatAgo(NOW - 10_000, NOW), 'just now');
    assert.equal(formatAgo(NOW - 4 * MIN, NOW), '4 min ago');
    assert.equal(formatAgo(NOW - 3 * 60 * MIN, NOW), '3 h ago');
  });

  it('describes every account state with a label, a tone and a sentence', () => {
    const cases: Record<AccountState['kind'], { state: AccountState; label: string; tone: string }> = {
      'signed-out': { state: { kind: 'signed-out' }, label: 'Signed out', tone: 'warn' },
      active: { state: { kind: 'active', expiresAt: NOW + 30 * MIN }, label: 'Active', tone: 'ok' },
      refreshing: { state: { kind: 'refreshing', expiresAt: null }, label: 'Refreshing', tone: 'busy' },
      'needs-sign-in': { state: { kind: 'needs-sign-in', reason: { code: 'AADSTS50173', summary: 'password changed' } }, label: 'Needs sign-in', tone: 'error' },
      failing: { state: { kind: 'failing', error: 'network down', retryAt: NOW + MIN, expiresAt: null }, label: 'Retrying', tone: 'error' },
    };
    for (const { state, label, tone } of Object.values(cases)) {
      const view = describeState(state, NOW);
      assert.equal(view.label, label);
      assert.equal(view.tone, tone);
      assert.ok(view.detail.length > 10);
    }
    assert.match(describeState(cases['needs-sign-in'].state, NOW).detail, /^Password changed \(AADSTS50173\)/);
    assert.match(describeState({ kind: 'failing', error: 'network down', retryAt: NOW + MIN, expiresAt: NOW + 20 * MIN }, NOW).detail, /Current token valid for 20 min/);
  });

  it('puts accounts needing the user first', () => {
    assert.ok(severity({ kind: 'needs-sign-in', reason: { code: 'x', summary: 'y' } }, NOW) < severity({ kind: 'signed-out' }, NOW));
    assert.ok(severity({ kind: 'signed-out' }, NOW) < severity({ kind: 'active', expiresAt: NOW + MIN }, NOW));
  });

  it('names request outcomes in words', () => {
    assert.equal(outcomeLabel('ok'), 'OK');
    assert.equal(outcomeLabel('NEEDS_SIGN_IN'), 'Needs sign-in');
    assert.equal(outcomeLabel('SOMETHING_NEW'), 'SOMETHING_NEW');
  });

  it('names proto=api after the account\'s provider', () => {
    assert.equal(protoLabel('api', 'microsoft'), 'Graph');
    assert.equal(protoLabel('api', 'google'), 'Gmail API');
    assert.equal(protoLabel('api'), 'API', 'an account no longer connected here');
    assert.equal(protoLabel('smtp', 'google'), 'SMTP');
  });
});
