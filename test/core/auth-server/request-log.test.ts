import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestRecord } from '../../../src/shared/account-status.js';
import { RequestLog } from '../../../src/core/auth-server/request-log.js';

function entry(account: string, at: number, status = 200): RequestRecord {
  return { at, account, proto: 'imap', outcome: status === 200 ? 'ok' : 'NEEDS_SIGN_IN', status, latencyMs: 0.1, client: '127.0.0.1' };
}

describe('request log', () => {
  it('keeps the last `capacity` records, newest first', () => {
    const log = new RequestLog(3);
    assert.deepEqual(log.recent(), []);
    for (let i = 1; i <= 5; i += 1) log.record(entry('a', i));
    assert.deepEqual(log.recent().map((r) => r.at), [5, 4, 3]);
    assert.deepEqual(log.recent(2).map((r) => r.at), [5, 4]);
    assert.deepEqual(log.recent(0), []);
    assert.deepEqual(log.recent(99).length, 3);
  });

  it("remembers each account's latest request even after the ring moved on", () => {
    const log = new RequestLog(2);
    log.record(entry('sales', 1, 409));
    for (let i = 2; i < 10; i += 1) log.record(entry('other', i));
    assert.equal(log.latestFor('sales')?.status, 409);
    assert.equal(log.latestFor('other')?.at, 9);
    assert.equal(log.latestFor('nobody'), null);
    log.record({ ...entry('', 11), outcome: 'host_not_allowed', status: 403 });
    assert.equal(log.latestFor(''), null, 'requests without an account are not per-account');
  });

  it('pages with a cursor: only what is new, oldest first, counting what the ring dropped', () => {
    const log = new RequestLog(4);
    assert.deepEqual(log.since(null), { records: [], cursor: 0, missed: 0 });
    for (let i = 1; i <= 3; i += 1) log.record(entry('a', i));
    const first = log.since(null, 2);
    assert.deepEqual(first.records.map((r) => r.at), [2, 3], 'the newest `limit`, oldest first');
    assert.equal(first.cursor, 3);
    assert.deepEqual(log.since(first.cursor), { records: [], cursor: 3, missed: 0 }, 'nothing new');
    log.record(entry('a', 4));
    assert.deepEqual(log.since(3).records.map((r) => r.at), [4]);
    for (let i = 5; i <= 10; i += 1) log.record(entry('a', i));
    const behind = log.since(3);
    assert.deepEqual(behind.records.map((r) => r.at), [7, 8, 9, 10], 'what the ring still holds');
    assert.equal(behind.missed, 3, 'records 4, 5 and 6 were overwritten');
    const limited = log.since(6, 2);
    assert.deepEqual(limited.records.map((r) => r.at), [9, 10]);
    assert.equal(limited.missed, 2, 'skipped to keep up');
    // A cursor from before a restart (larger than anything here) starts over from the newest.
    assert.deepEqual(log.since(99, 1).records.map((r) => r.at), [10]);
  });

  it('tells listeners about each record until they unsubscribe', () => {
    const log = new RequestLog();
    const seen: number[] = [];
    const stop = log.onRecord((cursor) => seen.push(cursor));
    log.record(entry('a', 1));
    log.record(entry('a', 2));
    stop();
    log.record(entry('a', 3));
    assert.deepEqual(seen, [1, 2], 'the cursor after each record');
    assert.deepEqual(log.since(seen[0]!).records.map((r) => r.at), [2, 3]);
  });

  it('copies what it records: the auth server reuses one object for every request', () => {
    const log = new RequestLog(4);
    const draft = entry('sales', 1);
    log.record(draft);
    Object.assign(draft, { account: 'other', at: 2, status: 404 });
    log.record(draft);
    draft.at = 3;
    assert.deepEqual(log.recent().map((r) => [r.account, r.at, r.status]), [['other', 2, 404], ['sales', 1, 200]]);
    assert.equal(log.latestFor('sales')?.at, 1);
    const latest = log.latestFor('other')!;
    latest.status = 500;
    assert.equal(log.latestFor('other')?.status, 404, 'latestFor hands out a copy');
  });

  it('runs every listener even when one throws, then reports the error', () => {
    const log = new RequestLog();
    const seen: string[] = [];
    log.onRecord(() => {
      throw new Error('listener bug');
    });
    log.onRecord(() => seen.push('second'));
    assert.throws(() => log.record(entry('a', 1)), /listener bug/);
    assert.deepEqual(seen, ['second']);
    assert.equal(log.recent().length, 1);
  });

  it('refuses a capacity below one', () => {
    assert.throws(() => new RequestLog(0), RangeError);
  });
});
