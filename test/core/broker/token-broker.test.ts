import { describe, it, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { ServerError } from '@azure/msal-node';
import { scopesFor } from '../../../src/core/identity/microsoft/clouds.js';
import { createMicrosoftProvider } from '../../../src/core/identity/microsoft/microsoft-provider.js';
import { silentLogger } from '../../../src/core/logging/logger.js';
import type { TokenResult } from '../../../src/core/identity/microsoft/msal-client.js';
import { REFRESH_BEFORE_EXPIRY_MS } from '../../../src/core/broker/refresh-policy.js';
import { TokenBroker } from '../../../src/core/broker/token-broker.js';
import type { AccountRecord } from '../../../src/core/storage/vault.js';
import { TokentrayError } from '../../../src/shared/tokentray-error.js';
import { FakeClock } from '../../fakes/fake-clock.js';
import { RecordingMsal } from '../../fakes/recording-msal.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOME = 'oid-alice.tid-contoso';

function account(overrides: Partial<AccountRecord> = {}): AccountRecord {
  return {
    id: 'work',
    profile: 'outlook',
    homeAccountId: HOME,
    username: 'alice@contoso.com',
    sharedMailbox: null,
    createdAt: 0,
    ...overrides,
  };
}

/** A token as MSAL returns it; `fromCache` says MSAL answered without a round trip. */
function token(accessToken: string, expiresAt: number, options: { homeAccountId?: string; fromCache?: boolean } = {}): TokenResult {
  return { accessToken, expiresAt, homeAccountId: options.homeAccountId ?? HOME, username: 'alice@contoso.com', fromCache: options.fromCache ?? false };
}

function cached(accessToken: string, expiresAt: number): TokenResult {
  return token(accessToken, expiresAt, { fromCache: true });
}

function isTokentrayError(code: string, check?: (error: TokentrayError) => void): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof TokentrayError, `expected a TokentrayError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    check?.(error);
    return true;
  };
}

/** A 503 from the token endpoint, as MSAL hands it over. */
function serviceUnavailable(): ServerError {
  return new ServerError('temporarily_unavailable', 'corr-1', 'AADSTS90000: service unavailable', undefined, undefined, 503);
}

describe('TokenBroker', () => {
  let clock: FakeClock;
  let msal: RecordingMsal;
  let obtained: { id: string; obtainedAt: number; expiresAt: number }[];
  let changes: string[];

  function broker(random: () => number = () => 0.5): TokenBroker {
    return new TokenBroker({
      providers: () => createMicrosoftProvider({ client: () => msal, cloud: () => 'global', clientId: () => 'client' }),
      logger: silentLogger,
      now: clock.now,
      monotonicNow: () => 0, // no warm-up slice ever ends: the tests do not depend on machine load
      random,
      onChange: (id) => changes.push(id),
      onTokenObtained: (id, t) => obtained.push({ id, ...t }),
    });
  }

  /** A broker holding a 60-minute token for "work", obtained now. */
  function brokerWithFreshToken(record = account(), random?: () => number): { b: TokenBroker; first: TokenResult } {
    const b = broker(random);
    const first = token('at-1', clock.now() + 60 * MINUTE);
    b.upsert(record, first);
    return { b, first };
  }

  beforeEach(() => {
    clock = new FakeClock();
    msal = new RecordingMsal();
    obtained = [];
    changes = [];
  });

  describe('serving', () => {
    it('answers a fresh token synchronously, without a promise or an MSAL call', () => {
      const { b } = brokerWithFreshToken();
      const grant = b.grantFor('work', 'imap');
      assert.equal(grant instanceof Promise, false);
      assert.deepEqual(grant, { user: 'alice@contoso.com', accessToken: 'at-1' });
      clock.advance(49 * MINUTE);
      assert.equal(b.grantFor('work', 'smtp') instanceof Promise, false);
      assert.equal(msal.silentCalls.length, 0);
    });

    it('refuses proto=api for an outlook account and proto=imap/smtp for a graph account (PROFILE_MISMATCH)', () => {
      const { b } = brokerWithFreshToken();
      b.upsert(account({ id: 'graphy', profile: 'graph' }), token('at-g', clock.now() + 60 * MINUTE));
      assert.throws(() => b.grantFor('work', 'api'), isTokentrayError('PROFILE_MISMATCH', (e) => assert.equal(e.details.proto, 'api')));
      assert.throws(() => b.grantFor('graphy', 'imap'), isTokentrayError('PROFILE_MISMATCH'));
      assert.throws(() => b.grantFor('graphy', 'smtp'), isTokentrayError('PROFILE_MISMATCH'));
      assert.deepEqual(b.grantFor('graphy', 'api'), { user: 'alice@contoso.com', accessToken: 'at-g' });
    });

    it('reports an unknown account as ACCOUNT_NOT_FOUND', async () => {
      const b = broker();
      assert.throws(() => b.grantFor('nobody', 'imap'), isTokentrayError('ACCOUNT_NOT_FOUND', (e) => assert.equal(e.details.account, 'nobody')));
      await assert.rejects(b.tokenFor('nobody'), isTokentrayError('ACCOUNT_NOT_FOUND'));
      assert.throws(() => b.refresh('nobody'), isTokentrayError('ACCOUNT_NOT_FOUND'));
      assert.throws(() => b.state('nobody'), isTokentrayError('ACCOUNT_NOT_FOUND'));
    });

    it('forgets a removed account', () => {
      const { b } = brokerWithFreshToken();
      b.remove('work');
      assert.equal(b.has('work'), false);
      assert.throws(() => b.grantFor('work', 'imap'), isTokentrayError('ACCOUNT_NOT_FOUND'));
    });

    it('gives imap/api the shared mailbox as user and smtp the signed-in user', () => {
      const b = broker();
      b.upsert(account({ sharedMailbox: 'sales@contoso.com' }), token('at-s', clock.now() + 60 * MINUTE));
      b.upsert(account({ id: 'g', profile: 'graph', sharedMailbox: 'sales@contoso.com' }), token('at-g', clock.now() + 60 * MINUTE));
      assert.deepEqual(b.grantFor('work', 'imap'), { user: 'sales@contoso.com', accessToken: 'at-s' });
      assert.deepEqual(b.grantFor('work', 'smtp'), { user: 'alice@contoso.com', accessToken: 'at-s' });
      assert.deepEqual(b.grantFor('g', 'api'), { user: 'sales@contoso.com', accessToken: 'at-g' });
    });

    it('gives tokenFor the default proto of the profile and the expiry', async () => {
      const { b, first } = brokerWithFreshToken(account({ sharedMailbox: 'sales@contoso.com' }));
      assert.deepEqual(await b.tokenFor('work'), { grant: { user: 'sales@contoso.com', accessToken: 'at-1' }, expiresAt: first.expiresAt });
      assert.equal((await b.tokenFor('work', 'smtp')).grant.user, 'alice@contoso.com');
    });
  });

  describe('refreshing', () => {
    it('serves one refresh to 500 concurrent callers', async () => {
      const { b } = brokerWithFreshToken();
      clock.advance(61 * MINUTE); // expired
      const resume = msal.pause();
      msal.willAnswerSilent({ token: token('at-2', clock.now() + 60 * MINUTE) });
      const grants = Array.from({ length: 500 }, () => b.grantFor('work', 'imap'));
      assert.ok(grants.every((grant) => grant instanceof Promise));
      assert.equal(b.state('work').kind, 'refreshing');
      resume();
      const answers = await Promise.all(grants);
      assert.equal(msal.silentCalls.length, 1);
      assert.deepEqual(msal.silentCalls[0], { homeAccountId: HOME, scopes: scopesFor('global', 'outlook'), forceRefresh: true });
      assert.ok(answers.every((grant) => grant.accessToken === 'at-2' && grant.user === 'alice@contoso.com'));
      assert.deepEqual(b.state('work'), { kind: 'active', expiresAt: clock.now() + 60 * MINUTE });
      assert.deepEqual(obtained, [{ id: 'work', obtainedAt: clock.now(), expiresAt: clock.now() + 60 * MINUTE }]);
    });

    it('refreshes proactively on tick once due, and not before', async () => {
      const { b, first } = brokerWithFreshToken();
      clock.advance(60 * MINUTE - REFRESH_BEFORE_EXPIRY_MS - 1);
      b.tick();
      assert.equal(msal.silentCalls.length, 0);
      clock.advance(1);
      msal.willAnswerSilent({ token: token('at-2', clock.now() + 60 * MINUTE) });
      b.tick();
      b.tick(); // an in-flight refresh is not started twice
      assert.equal(msal.silentCalls.length, 1);
      assert.equal(msal.silentCalls[0]?.forceRefresh, true);
      await b.settle();
      assert.equal(b.grantFor('work', 'imap') instanceof Promise, false);
      assert.equal((b.grantFor('work', 'imap') as { accessToken: string }).accessToken, 'at-2');
      assert.ok(first.expiresAt < (b.state('work') as { expiresAt: number }).expiresAt);
      b.tick();
      assert.equal(msal.silentCalls.length, 1);
    });

    it('keeps serving a still-servable token while the refresh runs in the background', async () => {
      const { b } = brokerWithFreshToken();
      clock.advance(52 * MINUTE); // past refresh-due (50), before serve-until (55)
      const resume = msal.pause();
      msal.willAnswerSilent({ token: token('at-2', clock.now() + 60 * MINUTE) });
      const during = b.grantFor('work', 'imap');
      assert.equal(during instanceof Promise, false);
      assert.deepEqual(during, { user: 'alice@contoso.com', accessToken: 'at-1' });
      assert.deepEqual(b.grantFor('work', 'smtp'), { user: 'alice@contoso.com', accessToken: 'at-1' });
      assert.equal(msal.silentCalls.length, 1);
      resume();
      await b.settle();
      assert.deepEqual(b.grantFor('work', 'imap'), { user: 'alice@contoso.com', accessToken: 'at-2' });
      assert.equal(msal.silentCalls.length, 1);
    });

    it('notifies a change when the state changes', async () => {
      const { b } = brokerWithFreshToken();
      assert.deepEqual(changes, ['work']);
      clock.advance(50 * MINUTE);
      msal.willAnswerSilent({ token: token('at-2', clock.now() + 60 * MINUTE) });
      b.tick();
      await b.settle();
      assert.ok(changes.length >= 3, `changes: ${changes.join(',')}`);
    });

    it('warms up at most 8 accounts at a time and skips those that need sign-in', async () => {
      const b = broker();
      for (let i = 0; i < 20; i += 1) {
        b.upsert(account({ id: `a${i}`, homeAccountId: `home-${i}` }));
        msal.willAnswerSilent({ token: cached(`at-${i}`, clock.now() + 60 * MINUTE) });
      }
      const resume = msal.pause();
      const warming = b.warmUp();
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(msal.silentCalls.length, 8);
      resume();
      await warming;
      assert.equal(msal.silentCalls.length, 20);
      assert.ok(msal.silentCalls.every((call) => call.forceRefresh === false));
      assert.equal(b.accountIds().filter((id) => b.state(id).kind === 'active').length, 20);
    });
  });

  describe('serving while warming up', () => {
    /** A RecordingMsal that also answers cachedToken from a map (like the partitioned client). */
    function withCache(tokens: Map<string, TokenResult>): void {
      Object.assign(msal, { cachedToken: (home: string) => tokens.get(home) ?? null });
    }

    it('answers a request for an account whose token is cached while other accounts still warm up', async () => {
      const b = broker();
      const inCache = new Map<string, TokenResult>();
      for (let i = 0; i < 30; i += 1) {
        b.upsert(account({ id: `a${i}`, homeAccountId: `home-${i}` }));
        // Accounts 0-19 have nothing usable cached: they need the token endpoint.
        if (i >= 20) inCache.set(`home-${i}`, token(`at-${i}`, clock.now() + 60 * MINUTE, { homeAccountId: `home-${i}`, fromCache: true }));
        else msal.willAnswerSilent({ token: token(`at-${i}`, clock.now() + 60 * MINUTE, { homeAccountId: `home-${i}` }) });
      }
      withCache(inCache);
      const resume = msal.pause(); // every refresh hangs: the warm-up cannot finish
      const warming = b.warmUp();
      let warmedUp = false;
      void warming.then(() => (warmedUp = true));
      const grant = b.grantFor('a29', 'imap');
      assert.ok(!(grant instanceof Promise), 'served synchronously, from the cache');
      assert.equal(grant.accessToken, 'at-29');
      assert.equal(warmedUp, false, 'other accounts are still warming up');
      assert.equal(b.state('a5').kind, 'refreshing');
      resume();
      await warming;
      assert.equal(msal.silentCalls.length, 20, 'cached accounts cost no MSAL call');
    });

    it('moves an account a request waits for ahead of the warm-up queue', async () => {
      const b = broker();
      for (let i = 0; i < 30; i += 1) {
        b.upsert(account({ id: `a${i}`, homeAccountId: `home-${i}` }));
        msal.willAnswerSilent({ token: token(`at-${i}`, clock.now() + 60 * MINUTE) });
      }
      withCache(new Map());
      const resume = msal.pause();
      const warming = b.warmUp();
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(msal.silentCalls.length, 8, `eight background refreshes in flight, 22 queued (${msal.silentCalls.length})`);
      const waiting = b.grantFor('a29', 'imap');
      assert.ok(waiting instanceof Promise);
      assert.equal(msal.silentCalls.length, 9, 'the requested account went straight to the identity provider');
      assert.equal(msal.silentCalls[8]!.homeAccountId, 'home-29');
      resume();
      await waiting;
      await warming;
      assert.equal(msal.silentCalls.filter((call) => call.homeAccountId === 'home-29').length, 1, 'not refreshed again by the queue');
    });
  });

  describe('when Microsoft says the grant is dead', () => {
    it('moves to needs-sign-in on invalid_grant AADSTS50173, drops the refresh token, and then refuses', async () => {
      const { b } = brokerWithFreshToken();
      clock.advance(50 * MINUTE);
      msal.willAnswerSilent({
        error: new ServerError('invalid_grant', 'corr-2', 'AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed.'),
      });
      b.tick();
      await b.settle();
      assert.deepEqual(b.state('work'), { kind: 'needs-sign-in', reason: { code: 'AADSTS50173', summary: 'password changed' } });
      assert.deepEqual(msal.removedAccounts, [HOME]);
      assert.equal(b.lastError('work')?.code, 'NEEDS_SIGN_IN');
      assert.throws(
        () => b.grantFor('work', 'imap'),
        isTokentrayError('NEEDS_SIGN_IN', (e) => {
          assert.equal(e.details.reason, 'AADSTS50173');
          assert.match(e.message, /password changed/);
        }),
      );
      clock.advance(60 * MINUTE);
      b.tick();
      await b.settle();
      assert.equal(msal.silentCalls.length, 1, 'no further refresh attempts');
    });

    it('accepts the ServerError shape as plain data too ({ errorCode, errorMessage })', async () => {
      const { b } = brokerWithFreshToken();
      clock.advance(61 * MINUTE);
      msal.willAnswerSilent({ error: { errorCode: 'invalid_grant', errorMessage: 'AADSTS50173: The provided grant has expired.' } });
      await assert.rejects(Promise.resolve(b.grantFor('work', 'imap')), isTokentrayError('NEEDS_SIGN_IN'));
      assert.equal(b.state('work').kind, 'needs-sign-in');
    });

    it('comes back to active when the account is signed in again', async () => {
      const { b } = brokerWithFreshToken();
      clock.advance(61 * MINUTE);
      msal.willAnswerSilent({ error: { errorCode: 'interaction_required' } });
      await assert.rejects(Promise.resolve(b.grantFor('work', 'imap')), isTokentrayError('NEEDS_SIGN_IN'));
      b.upsert(account(), token('at-new', clock.now() + 60 * MINUTE));
      assert.deepEqual(b.grantFor('work', 'imap'), { user: 'alice@contoso.com', accessToken: 'at-new' });
      assert.equal(b.lastError('work'), null);
    });
  });

  describe('when Microsoft cannot be reached', () => {
    it('keeps serving while servable, does not call again before retryAt, and recovers after', async () => {
      const { b, first } = brokerWithFreshToken();
      clock.advance(50 * MINUTE);
      msal.willAnswerSilent({ error: { errorCode: 'network_error', errorMessage: 'getaddrinfo ENOTFOUND login.microsoftonline.com' } });
      b.tick();
      await b.settle();
      const failedAt = clock.now();
      const state = b.state('work');
      assert.equal(state.kind, 'failing');
      assert.equal(state.kind === 'failing' && state.retryAt, failedAt + 5 * SECOND); // random 0.5: the base delay
      assert.equal(state.kind === 'failing' && state.expiresAt, first.expiresAt);
      assert.equal(b.lastError('work')?.code, 'IDP_UNAVAILABLE');

      clock.advance(4 * SECOND);
      assert.deepEqual(b.grantFor('work', 'imap'), { user: 'alice@contoso.com', accessToken: 'at-1' });
      b.tick();
      assert.equal(msal.silentCalls.length, 1, 'no call before retryAt');

      clock.advance(1 * SECOND);
      msal.willAnswerSilent({ token: token('at-2', clock.now() + 60 * MINUTE) });
      assert.deepEqual(b.grantFor('work', 'imap'), { user: 'alice@contoso.com', accessToken: 'at-1' }); // served, renewal in background
      assert.equal(msal.silentCalls.length, 2);
      await b.settle();
      assert.equal(b.state('work').kind, 'active');
      assert.deepEqual(b.grantFor('work', 'imap'), { user: 'alice@contoso.com', accessToken: 'at-2' });
      assert.equal(b.lastError('work'), null);
    });

    it('answers IDP_UNAVAILABLE with retryAfterSeconds once the token is no longer servable, then recovers after retryAt', async () => {
      const { b } = brokerWithFreshToken();
      clock.advance(56 * MINUTE); // past serve-until
      msal.willAnswerSilent({ error: serviceUnavailable() });
      await assert.rejects(
        Promise.resolve(b.grantFor('work', 'imap')),
        isTokentrayError('IDP_UNAVAILABLE', (e) => assert.equal(e.details.retryAfterSeconds, 5)),
      );
      clock.advance(2 * SECOND);
      assert.throws(
        () => b.grantFor('work', 'imap'),
        isTokentrayError('IDP_UNAVAILABLE', (e) => {
          assert.equal(e.details.retryAfterSeconds, 3);
          assert.match(e.message, /HTTP 503/);
        }),
      );
      assert.equal(msal.silentCalls.length, 1, 'no call before retryAt');
      clock.advance(3 * SECOND);
      msal.willAnswerSilent({ token: token('at-2', clock.now() + 60 * MINUTE) });
      const grant = b.grantFor('work', 'imap');
      assert.ok(grant instanceof Promise);
      assert.deepEqual(await grant, { user: 'alice@contoso.com', accessToken: 'at-2' });
    });

    it('backs off longer after each consecutive failure', async () => {
      const { b } = brokerWithFreshToken();
      clock.advance(61 * MINUTE);
      const delays: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        msal.willAnswerSilent({ error: { errorCode: 'network_error' } });
        await assert.rejects(Promise.resolve(b.grantFor('work', 'imap')), isTokentrayError('IDP_UNAVAILABLE'));
        const state = b.state('work');
        assert.equal(state.kind, 'failing');
        if (state.kind === 'failing') {
          delays.push(state.retryAt - clock.now());
          assert.equal(state.expiresAt, null, 'the expired token is not reported as valid');
          clock.set(state.retryAt);
        }
      }
      assert.deepEqual(delays, [5 * SECOND, 10 * SECOND, 20 * SECOND]);
    });

    it('waits at least 60 s after MSAL throttles (90033)', async () => {
      const { b } = brokerWithFreshToken(account(), () => 0);
      clock.advance(56 * MINUTE);
      msal.willAnswerSilent({ error: { errorCode: '90033', errorMessage: 'Request throttled for 60 seconds' } });
      await assert.rejects(
        Promise.resolve(b.grantFor('work', 'imap')),
        isTokentrayError('IDP_UNAVAILABLE', (e) => assert.ok(Number(e.details.retryAfterSeconds) >= 60)),
      );
      const state = b.state('work');
      assert.ok(state.kind === 'failing' && state.retryAt - clock.now() >= 60 * SECOND);
      clock.advance(59 * SECOND);
      assert.throws(() => b.grantFor('work', 'imap'), isTokentrayError('IDP_UNAVAILABLE'));
      b.tick();
      assert.equal(msal.silentCalls.length, 1);
    });

    it('treats an HTTP 429 like MSAL throttling', async () => {
      const { b } = brokerWithFreshToken(account(), () => 0);
      clock.advance(56 * MINUTE);
      msal.willAnswerSilent({ error: { errorCode: 'too_many_requests', status: 429 } });
      await assert.rejects(Promise.resolve(b.grantFor('work', 'imap')), isTokentrayError('IDP_UNAVAILABLE'));
      const state = b.state('work');
      assert.ok(state.kind === 'failing' && state.retryAt - clock.now() >= 60 * SECOND);
    });
  });

  describe('after a restart (no token in memory)', () => {
    it('uses a cached token with plenty of validity without forcing a refresh', async () => {
      const b = broker();
      b.upsert(account());
      msal.willAnswerSilent({ token: cached('at-cached', clock.now() + 50 * MINUTE) });
      const grant = b.grantFor('work', 'imap');
      assert.ok(grant instanceof Promise);
      assert.deepEqual(await grant, { user: 'alice@contoso.com', accessToken: 'at-cached' });
      assert.deepEqual(msal.silentCalls.map((call) => call.forceRefresh), [false]);
      assert.deepEqual(obtained, [], 'a cached token is not a newly obtained one');
      assert.equal(b.grantFor('work', 'imap') instanceof Promise, false);
    });

    it('forces a refresh when the cached token is already inside the refresh window', async () => {
      const b = broker();
      b.upsert(account());
      msal.willAnswerSilent(
        { token: cached('at-cached', clock.now() + 8 * MINUTE) },
        { token: token('at-forced', clock.now() + 60 * MINUTE) },
      );
      assert.deepEqual(await b.grantFor('work', 'imap'), { user: 'alice@contoso.com', accessToken: 'at-forced' });
      assert.deepEqual(msal.silentCalls.map((call) => call.forceRefresh), [false, true]);
      assert.deepEqual(obtained, [{ id: 'work', obtainedAt: clock.now(), expiresAt: clock.now() + 60 * MINUTE }]);
    });

    it('uses the recorded lifetime of a short-lived cached token instead of assuming 60 minutes', async () => {
      const b = broker();
      // A 10-minute token obtained 4 minutes ago: refresh is due at 5 minutes left, not yet.
      const expiresAt = clock.now() + 6 * MINUTE;
      b.upsert(account({ lastToken: { obtainedAt: clock.now() - 4 * MINUTE, expiresAt } }));
      msal.willAnswerSilent({ token: cached('at-cached', expiresAt) });
      await b.refresh('work');
      assert.deepEqual(msal.silentCalls.map((call) => call.forceRefresh), [false]);
      assert.deepEqual(b.grantFor('work', 'imap'), { user: 'alice@contoso.com', accessToken: 'at-cached' });
    });

    it('matches the recorded expiry within MSAL\'s one-second precision', async () => {
      const b = broker();
      const expiresAt = clock.now() + 6 * MINUTE;
      b.upsert(account({ lastToken: { obtainedAt: clock.now() - 4 * MINUTE, expiresAt: expiresAt + 700 } }));
      msal.willAnswerSilent({ token: cached('at-cached', expiresAt) });
      await b.refresh('work');
      assert.deepEqual(msal.silentCalls.map((call) => call.forceRefresh), [false]);
    });

    it('counts a token MSAL renewed by itself as new, and does not force another', async () => {
      const b = broker();
      b.upsert(account());
      msal.willAnswerSilent({ token: token('at-renewed-by-msal', clock.now() + 60 * MINUTE) }); // fromCache: false
      assert.deepEqual(await b.grantFor('work', 'imap'), { user: 'alice@contoso.com', accessToken: 'at-renewed-by-msal' });
      assert.deepEqual(msal.silentCalls.map((call) => call.forceRefresh), [false]);
      assert.deepEqual(obtained, [{ id: 'work', obtainedAt: clock.now(), expiresAt: clock.now() + 60 * MINUTE }]);
    });

    it('still serves a servable cached token when the forced refresh fails transiently', async () => {
      const b = broker();
      b.upsert(account());
      // 8 minutes left of an (assumed) 60-minute token: due (10 min) but servable (5 min).
      msal.willAnswerSilent(
        { token: cached('at-cached', clock.now() + 8 * MINUTE) },
        { error: { errorCode: 'network_error', errorMessage: 'getaddrinfo ENOTFOUND login.microsoftonline.com' } },
      );
      const grant = await b.grantFor('work', 'imap');
      assert.deepEqual(grant, { user: 'alice@contoso.com', accessToken: 'at-cached' });
      assert.equal(b.state('work').kind, 'failing');
    });

    it('moves to needs-sign-in when MSAL has no saved sign-in for the account', async () => {
      const b = broker();
      b.upsert(account());
      msal.willAnswerSilent({ error: Object.assign(new Error('No saved sign-in for this account.'), { errorCode: 'no_account_found' }) });
      await assert.rejects(Promise.resolve(b.grantFor('work', 'imap')), isTokentrayError('NEEDS_SIGN_IN'));
      assert.deepEqual(b.state('work'), { kind: 'needs-sign-in', reason: { code: 'no_account_found', summary: 'no saved sign-in' } });
    });
  });
});
