import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { p99Check } from './auth-server.bench.js';

describe('bench: the p99 verdict', () => {
  it('passes under 2 ms, whatever the bare server did', () => {
    assert.equal(p99Check(2.4, 1.9, 0.8).pass, true);
  });

  it('fails over 2 ms when the bare server showed the machine can do 2 ms', () => {
    const check = p99Check(1.6, 2.1, 1.3);
    assert.equal(check.pass, false);
    assert.match(check.detail, /bare node:http reached 1\.600 ms/);
  });

  it('holds tokentray to the bare p99 when the bare server itself is over 2 ms, and says so', () => {
    const close = p99Check(2.3, 2.4, 1.04);
    assert.equal(close.pass, true);
    assert.match(close.detail, /not reachable on this machine/);
    assert.equal(p99Check(2.3, 3.1, 1.35).pass, false);
  });
});
