import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FAILURE_THROTTLE, FailureThrottle } from '../../../src/core/auth-server/failure-throttle.js';

describe('failure throttle', () => {
  it('blocks after maxFailures, doubling the delay up to the cap', () => {
    const throttle = new FailureThrottle({ maxFailures: 3, baseDelayMs: 1_000, maxDelayMs: 4_000 });
    let now = 0;
    assert.equal(throttle.recordFailure('a', now), 0);
    assert.equal(throttle.recordFailure('a', now), 0);
    assert.equal(throttle.retryAfterSeconds('a', now), 0);
    assert.equal(throttle.recordFailure('a', now), 1);
    assert.equal(throttle.retryAfterSeconds('a', now), 1);
    assert.equal(throttle.retryAfterSeconds('b', now), 0, 'per client address');
    now += 1_000;
    assert.equal(throttle.retryAfterSeconds('a', now), 0);
    assert.equal(throttle.recordFailure('a', now), 2);
    now += 2_000;
    assert.equal(throttle.recordFailure('a', now), 4);
    now += 4_000;
    assert.equal(throttle.recordFailure('a', now), 4, 'capped');
    assert.equal(throttle.retryAfterSeconds('a', now + 500), 4, 'rounded up');
  });

  it('forgets a client after a quiet window', () => {
    const throttle = new FailureThrottle({ maxFailures: 2, windowMs: 10_000 });
    assert.equal(throttle.recordFailure('a', 0), 0);
    assert.equal(throttle.recordFailure('a', 1), 1);
    assert.equal(throttle.retryAfterSeconds('a', 20_000), 0);
    assert.equal(throttle.trackedClients, 0, 'expired entries are dropped when looked at');
    assert.equal(throttle.recordFailure('a', 20_000), 0);
  });

  it('remembers a bounded number of clients', () => {
    const throttle = new FailureThrottle({ maxTrackedClients: 10 });
    for (let i = 0; i < 1_000; i += 1) throttle.recordFailure(`10.0.${i >> 8}.${i & 255}`, 0);
    assert.equal(throttle.trackedClients, 10);
  });

  it('defaults to five failures, one second doubling to a minute', () => {
    assert.deepEqual(
      { ...DEFAULT_FAILURE_THROTTLE },
      { maxFailures: 5, windowMs: 600_000, baseDelayMs: 1_000, maxDelayMs: 60_000, maxTrackedClients: 1_024 },
    );
  });
});
