import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listenForRedirect } from '../../../src/core/identity/loopback-redirect.js';

const PAGES = { successPage: 'ok-page', errorPage: 'error-page' };

describe('loopback redirect listener', () => {
  it('binds 127.0.0.1 and ignores requests without the right state, then takes the real redirect', async () => {
    const listener = await listenForRedirect({ state: 'right', ...PAGES });
    try {
      assert.match(listener.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const forged = await fetch(`${listener.redirectUri}?code=evil&state=wrong`);
      assert.equal(forged.status, 400);
      const noState = await fetch(`${listener.redirectUri}?code=evil`);
      assert.equal(noState.status, 400);
      const real = await fetch(`${listener.redirectUri}?code=the-code&state=right`);
      assert.equal(real.status, 200);
      assert.equal(await real.text(), 'ok-page');
      assert.deepEqual(await listener.outcome, { kind: 'code', code: 'the-code' });
      const late = await fetch(`${listener.redirectUri}?code=second&state=right`);
      assert.equal(late.status, 400, 'only the first redirect counts');
    } finally {
      await listener.close();
    }
  });

  it('takes an error as a form post (how a cancel reaches it) and refuses oversized bodies', async () => {
    const listener = await listenForRedirect({ state: 's', ...PAGES });
    try {
      const big = await fetch(listener.redirectUri, { method: 'POST', body: `state=s&error=x&pad=${'a'.repeat(10_000)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }).catch(() => null);
      assert.ok(big === null || big.status === 413);
      const cancel = await fetch(listener.redirectUri, { method: 'POST', body: 'state=s&error=access_denied&error_description=tokentray_cancelled', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(await cancel.text(), 'error-page');
      assert.deepEqual(await listener.outcome, { kind: 'error', error: 'access_denied', description: 'tokentray_cancelled' });
    } finally {
      await listener.close();
    }
  });
});
