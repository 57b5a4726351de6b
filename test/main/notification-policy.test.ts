import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FAILED_REQUESTS_THRESHOLD,
  FAILED_REQUESTS_WINDOW_MS,
  NOTIFICATION_QUIET_PERIOD_MS,
  currentNotices,
  selectNotices,
  type Notice,
} from '../../src/main/notification-policy.js';
import type { RequestRecord, StatusReport } from '../../src/shared/account-status.js';
import { fakeAccount } from '../fakes/fake-tokentray-api.js';

const NOW = Date.UTC(2025, 0, 15, 10, 0, 0);
const MIN = 60_000;
const RUNNING = { running: true, url: 'http://127.0.0.1:7411/', error: null };

function failed(account: string, minutesAgo: number, outcome = 'IDP_UNAVAILABLE'): RequestRecord {
  return { at: NOW - minutesAgo * MIN, account, proto: 'smtp', outcome, status: 503, latencyMs: 2, client: '127.0.0.1' };
}

const revoked: StatusReport = {
  accounts: [fakeAccount('sales', { state: { kind: 'needs-sign-in', reason: { code: 'AADSTS50173', summary: 'password changed' } } }, NOW)],
  server: RUNNING,
};

describe('notification causes', () => {
  it('asks to sign in again, and a click starts the sign-in', () => {
    assert.deepEqual(currentNotices(revoked, [], NOW), [
      {
        cause: 'needs-sign-in:sales:AADSTS50173',
        title: 'sales needs sign-in',
        body: 'password changed. Click to sign in again.',
        action: { kind: 'sign-in', accountId: 'sales' },
      },
    ]);
  });

  it('reports an auth server that could not start', () => {
    const notices = currentNotices({ accounts: [], server: { running: false, url: null, error: 'port 7411 is in use' } }, [], NOW);
    assert.equal(notices.length, 1);
    assert.equal(notices[0]!.title, 'tokentray: the auth server could not start');
    assert.match(notices[0]!.body, /port 7411 is in use/);
    assert.deepEqual(notices[0]!.action, { kind: 'open-window', view: 'settings' });
  });

  it(`reports ${FAILED_REQUESTS_THRESHOLD} failed requests within the window, with the hint for the outcome`, () => {
    const report: StatusReport = { accounts: [fakeAccount('ops', {}, NOW)], server: RUNNING };
    const two = [failed('ops', 1), failed('ops', 2)];
    assert.deepEqual(currentNotices(report, two, NOW), []);
    const three = [...two, failed('ops', 3)];
    const [notice] = currentNotices(report, three, NOW);
    assert.equal(notice?.cause, 'failed-requests:ops');
    assert.match(notice!.body, /^3 requests failed in the last 10 minutes \(latest: IDP_UNAVAILABLE\)\. Microsoft sign-in could not be reached/);
    const stale = [failed('ops', 1), failed('ops', 2), failed('ops', FAILED_REQUESTS_WINDOW_MS / MIN + 1)];
    assert.deepEqual(currentNotices(report, stale, NOW), [], 'old failures do not count');
  });

  it('does not add a "requests failing" notice for an account that already needs sign-in', () => {
    const notices = currentNotices(revoked, [failed('sales', 1, 'NEEDS_SIGN_IN'), failed('sales', 2, 'NEEDS_SIGN_IN'), failed('sales', 3, 'NEEDS_SIGN_IN')], NOW);
    assert.deepEqual(notices.map((n) => n.cause), ['needs-sign-in:sales:AADSTS50173']);
  });
});

describe('notification de-duplication', () => {
  const notice = (cause: string): Notice => ({ cause, title: cause, body: '', action: null });

  it('shows a cause once per quiet period', () => {
    const first = selectNotices([notice('a')], new Map(), NOW);
    assert.deepEqual(first.show.map((n) => n.cause), ['a']);
    const again = selectNotices([notice('a')], first.lastShown, NOW + NOTIFICATION_QUIET_PERIOD_MS - 1);
    assert.deepEqual(again.show, []);
    const later = selectNotices([notice('a')], again.lastShown, NOW + NOTIFICATION_QUIET_PERIOD_MS);
    assert.deepEqual(later.show.map((n) => n.cause), ['a']);
  });

  it('treats a different cause (another reason, another account) as new', () => {
    const first = selectNotices([notice('needs-sign-in:sales:AADSTS50173')], new Map(), NOW);
    const next = selectNotices([notice('needs-sign-in:sales:AADSTS50173'), notice('needs-sign-in:sales:AADSTS700082'), notice('needs-sign-in:ops:x')], first.lastShown, NOW + MIN);
    assert.deepEqual(next.show.map((n) => n.cause), ['needs-sign-in:sales:AADSTS700082', 'needs-sign-in:ops:x']);
  });

  it('does not repeat a flapping cause that cleared and came back within the period', () => {
    const shown = selectNotices([notice('a')], new Map(), NOW);
    const cleared = selectNotices([], shown.lastShown, NOW + MIN);
    const back = selectNotices([notice('a')], cleared.lastShown, NOW + 2 * MIN);
    assert.deepEqual(back.show, []);
  });

  it('forgets causes older than the quiet period and never mutates its input', () => {
    const memory = new Map([['old', NOW - NOTIFICATION_QUIET_PERIOD_MS - 1]]);
    const result = selectNotices([], memory, NOW);
    assert.equal(result.lastShown.has('old'), false);
    assert.equal(memory.has('old'), true);
  });
});
