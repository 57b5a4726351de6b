import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignInSessions } from '../../src/main/sign-in-sessions.js';
import type { AccountStatus } from '../../src/shared/account-status.js';
import type { SignInHooks, ConnectRequest, DeviceCodePrompt } from '../../src/shared/tokentray-api.js';
import { TokentrayError } from '../../src/shared/tokentray-error.js';

const PROMPT: DeviceCodePrompt = { verificationUri: 'https://microsoft.com/devicelogin', userCode: 'ABCD-EFGH', expiresAt: Date.now() + 900_000, message: null };

/** A core whose sign-ins wait until the test settles them. */
function waitingCore() {
  const waiting = new Map<string, { resolve: (account: AccountStatus) => void; reject: (error: unknown) => void; hooks: SignInHooks }>();
  return {
    waiting,
    api: {
      connectAccount: (request: ConnectRequest, hooks: SignInHooks) =>
        new Promise<AccountStatus>((resolve, reject) => {
          waiting.set(request.id, { resolve, reject, hooks });
        }),
      cancelSignIn: async (id: string) => waiting.get(id)?.reject(new TokentrayError('SIGN_IN_CANCELLED', 'Sign-in cancelled.')),
    },
  };
}

describe('SignInSessions', () => {
  it('lists the sign-ins under way with their codes, and lets a later window await the same outcome', async () => {
    const core = waitingCore();
    const sessions = new SignInSessions(core.api, async () => undefined);
    const first = sessions.start({ id: 'kiosk', email: 'kiosk@contoso.com', profile: 'outlook', deviceCode: true });
    assert.deepEqual(sessions.pending(), [{ id: 'kiosk', email: 'kiosk@contoso.com', profile: 'outlook', sharedMailbox: null, withCode: true, deviceCode: null }]);
    await core.waiting.get('kiosk')!.hooks.onDeviceCode!(PROMPT);
    assert.deepEqual(sessions.pending()[0]?.deviceCode, PROMPT);
    const later = sessions.settled('kiosk');
    const account = { id: 'kiosk' } as AccountStatus;
    core.waiting.get('kiosk')!.resolve(account);
    assert.equal(await first, account);
    assert.equal(await later, account, 'the window opened later hears the same outcome');
    assert.deepEqual(sessions.pending(), []);
    await assert.rejects(sessions.settled('kiosk'), (error: unknown) => error instanceof TokentrayError && error.code === 'SIGN_IN_CANCELLED');
  });

  it('is not left "in progress" by a core that fails before its first await', async () => {
    let calls = 0;
    const sessions = new SignInSessions(
      {
        connectAccount: () => {
          calls += 1;
          throw new TokentrayError('ACCOUNT_ID_INVALID', 'bad id');
        },
        cancelSignIn: async () => undefined,
      },
      async () => undefined,
    );
    await assert.rejects(sessions.start({ id: 'x' }), (error: unknown) => error instanceof TokentrayError && error.code === 'ACCOUNT_ID_INVALID');
    assert.deepEqual(sessions.pending(), []);
    await assert.rejects(sessions.start({ id: 'x' }), (error: unknown) => error instanceof TokentrayError && error.code === 'ACCOUNT_ID_INVALID', 'not SIGN_IN_IN_PROGRESS');
    assert.equal(calls, 2);
  });
});
