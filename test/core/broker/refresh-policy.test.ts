import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MIN_VALIDITY_TO_SERVE_MS,
  REFRESHER_TICK_MS,
  REFRESH_BEFORE_EXPIRY_MS,
  RETRY_BASE_MS,
  RETRY_MAX_MS,
  clockJumped,
  isRefreshDue,
  refreshDueAt,
  retryDelayMs,
  serveUntil,
} from '../../../src/core/broker/refresh-policy.js';

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;

describe('refresh policy', () => {
  describe('a 60-minute token', () => {
    const token = { obtainedAt: T0, expiresAt: T0 + 60 * MINUTE };

    it('is due for refresh 10 minutes before expiry', () => {
      assert.equal(refreshDueAt(token), token.expiresAt - REFRESH_BEFORE_EXPIRY_MS);
      assert.equal(refreshDueAt(token), T0 + 50 * MINUTE);
      assert.equal(isRefreshDue(token, T0 + 50 * MINUTE - 1), false);
      assert.equal(isRefreshDue(token, T0 + 50 * MINUTE), true);
      assert.equal(isRefreshDue(token, T0 + 50 * MINUTE), true);
    });

    it('is served until 5 minutes before expiry, and not after', () => {
      assert.equal(serveUntil(token), token.expiresAt - MIN_VALIDITY_TO_SERVE_MS);
      assert.equal(T0 + 55 * MINUTE - 1 < serveUntil(token), true);
      assert.equal(T0 + 55 * MINUTE < serveUntil(token), false);
    });
  });

  describe('a 60-second token', () => {
    const token = { obtainedAt: T0, expiresAt: T0 + 60_000 };

    it('is due for refresh when half its lifetime is left', () => {
      assert.equal(refreshDueAt(token), T0 + 30_000);
      assert.equal(isRefreshDue(token, T0 + 29_999), false);
      assert.equal(isRefreshDue(token, T0 + 30_000), true);
    });

    it('is served while a quarter of its lifetime is left', () => {
      assert.equal(serveUntil(token), T0 + 45_000);
      assert.equal(T0 + 44_999 < serveUntil(token), true);
      assert.equal(T0 + 45_000 < serveUntil(token), false);
    });
  });

  it('always refreshes before it stops serving', () => {
    for (const lifetime of [1_000, 60_000, 5 * MINUTE, 60 * MINUTE, 90 * MINUTE, 24 * 60 * MINUTE]) {
      const token = { obtainedAt: T0, expiresAt: T0 + lifetime };
      assert.ok(refreshDueAt(token) < serveUntil(token), `lifetime ${lifetime}`);
      assert.ok(serveUntil(token) < token.expiresAt, `lifetime ${lifetime}`);
    }
  });

  describe('retryDelayMs', () => {
    const low = (): number => 0;
    const mid = (): number => 0.5;
    const high = (): number => 0.999_999;

    it('starts near RETRY_BASE_MS with ±20 % jitter', () => {
      assert.equal(retryDelayMs(1, mid), RETRY_BASE_MS);
      assert.equal(retryDelayMs(1, low), RETRY_BASE_MS * 0.8);
      assert.ok(retryDelayMs(1, high) <= RETRY_BASE_MS * 1.2);
      assert.equal(retryDelayMs(0, mid), RETRY_BASE_MS);
    });

    it('doubles with each failure', () => {
      assert.equal(retryDelayMs(2, mid), 2 * RETRY_BASE_MS);
      assert.equal(retryDelayMs(3, mid), 4 * RETRY_BASE_MS);
      assert.equal(retryDelayMs(5, mid), 16 * RETRY_BASE_MS);
    });

    it('stops growing at RETRY_MAX_MS (before jitter)', () => {
      assert.equal(retryDelayMs(7, mid), RETRY_MAX_MS);
      assert.equal(retryDelayMs(1000, mid), RETRY_MAX_MS);
      assert.ok(retryDelayMs(1000, high) <= RETRY_MAX_MS * 1.2);
      assert.ok(retryDelayMs(1000, low) >= RETRY_MAX_MS * 0.8);
    });

    it('never waits less than the floor (MSAL throttling)', () => {
      assert.equal(retryDelayMs(1, low, 60_000), 60_000);
      assert.equal(retryDelayMs(1000, mid, 60_000), RETRY_MAX_MS);
    });

    it('spreads retries across the jitter range', () => {
      const delays = new Set([0, 0.25, 0.5, 0.75].map((r) => retryDelayMs(3, () => r)));
      assert.equal(delays.size, 4);
    });
  });

  describe('clockJumped', () => {
    it('is false for ticks at the expected pace', () => {
      assert.equal(clockJumped(T0, T0 + REFRESHER_TICK_MS), false);
      assert.equal(clockJumped(T0, T0 + 3 * REFRESHER_TICK_MS), false);
    });

    it('is true after a sleep (a long gap) or when the clock went back', () => {
      assert.equal(clockJumped(T0, T0 + 3 * REFRESHER_TICK_MS + 1), true);
      assert.equal(clockJumped(T0, T0 + 8 * 60 * MINUTE), true);
      assert.equal(clockJumped(T0, T0 - 1), true);
    });

    it('takes the tick length as a parameter', () => {
      assert.equal(clockJumped(T0, T0 + 3_001, 1_000), true);
      assert.equal(clockJumped(T0, T0 + 2_999, 1_000), false);
    });
  });
});
