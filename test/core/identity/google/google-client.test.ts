/**
 * The Google token client's grants per identity and mail scope, against an in-process fake of
 * Google's token endpoint (google-auth-library's own `fetchImplementation` option) and the real
 * loopback listener: the same user connected for IMAP/SMTP and for the Gmail API keeps two
 * grants, a vault from before keeps working without a sign-in, and forgetting one grant
 * leaves the other.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { GoogleClient, type GoogleTokenStore } from '../../../../src/core/identity/google/google-client.js';
import { googleEndpointsFor } from '../../../../src/core/identity/google/google-endpoints.js';
import { googleScopesFor } from '../../../../src/core/identity/google/google-scopes.js';
import { GMAIL_API_SCOPE, GMAIL_SCOPE } from '../../../../src/shared/google-scope-names.js';
import type { GoogleTokenRecord } from '../../../../src/core/storage/vault.js';

const CLIENT_ID = 'test-client.apps.googleusercontent.com';
const SUB = '100000000042';
const EMAIL = 'alice@gmail.test';
const GMAIL = googleScopesFor('gmail');
const GMAIL_API = googleScopesFor('gmail-api');
const HOUR_MS = 3_600_000;

interface Grant {
  scopes: string[];
  revoked: boolean;
}

/** Google's token endpoint, in memory: codes, non-rotating refresh tokens, invalid_grant once revoked. */
class FakeGoogle {
  readonly codes = new Map<string, string[]>();
  readonly grants = new Map<string, Grant>(); // refresh token → grant
  readonly accessTokens = new Map<string, string[]>(); // access token → scopes
  refreshCalls = 0;
  #serial = 0;

  readonly fetch = (async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    assert.equal(url.pathname, '/token');
    const form = new URLSearchParams(typeof init.body === 'string' ? init.body : String(init.body));
    if (form.get('grant_type') === 'authorization_code') {
      const scopes = this.codes.get(form.get('code') ?? '');
      if (!scopes) return json(400, { error: 'invalid_grant' });
      const refreshToken = `rt-${++this.#serial}`;
      this.grants.set(refreshToken, { scopes, revoked: false });
      const claims = Buffer.from(JSON.stringify({ sub: SUB, email: EMAIL, aud: CLIENT_ID })).toString('base64url');
      return json(200, { ...this.#accessToken(scopes), refresh_token: refreshToken, id_token: `e30.${claims}.sig` });
    }
    this.refreshCalls += 1;
    const grant = this.grants.get(form.get('refresh_token') ?? '');
    if (!grant || grant.revoked) return json(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    return json(200, this.#accessToken(grant.scopes));
  }) as typeof fetch;

  #accessToken(scopes: string[]): Record<string, unknown> {
    const accessToken = `at-${++this.#serial}`;
    this.accessTokens.set(accessToken, scopes);
    return { access_token: accessToken, expires_in: 3599, scope: scopes.join(' '), token_type: 'Bearer' };
  }

  revokeGrantFor(mailScope: string): void {
    for (const grant of this.grants.values()) if (grant.scopes.includes(mailScope)) grant.revoked = true;
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** A GET on 127.0.0.1 with the URL's own Host header; answers the Location header. */
function get(target: string): Promise<string | undefined> {
  const url = new URL(target);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: url.port, path: `${url.pathname}${url.search}`, headers: { host: url.host } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers.location));
    });
    req.on('error', reject);
    req.end();
  });
}

class MemoryStore implements GoogleTokenStore {
  readonly records = new Map<string, GoogleTokenRecord>();
  get(key: string): GoogleTokenRecord | undefined {
    return this.records.get(key);
  }
  async put(key: string, record: GoogleTokenRecord, replaced: string[]): Promise<void> {
    for (const old of replaced) this.records.delete(old);
    this.records.set(key, structuredClone(record));
  }
  async delete(keys: string[]): Promise<void> {
    for (const key of keys) this.records.delete(key);
  }
}

function setUp(): { google: FakeGoogle; store: MemoryStore; client: GoogleClient } {
  const google = new FakeGoogle();
  const store = new MemoryStore();
  const client = new GoogleClient({ clientId: CLIENT_ID, clientSecret: 'GOCSPX-test', endpoints: googleEndpointsFor('https://google.test'), store, fetchImplementation: google.fetch });
  return { google, store, client };
}

/** A sign-in in which the "browser" consents to exactly the requested scopes. */
function signIn(google: FakeGoogle, client: GoogleClient, scopes: string[]): ReturnType<GoogleClient['acquireInteractive']> {
  return client.acquireInteractive({
    scopes,
    loginHint: EMAIL,
    signal: new AbortController().signal,
    successPage: 'ok',
    errorPage: 'error',
    openBrowser: async (startUrl) => {
      const authorize = new URL((await get(startUrl))!);
      const code = `code-${google.codes.size + 1}`;
      google.codes.set(code, (authorize.searchParams.get('scope') ?? '').split(' '));
      const callback = new URL(authorize.searchParams.get('redirect_uri')!);
      callback.search = new URLSearchParams({ code, state: authorize.searchParams.get('state')! }).toString();
      void get(callback.href);
    },
  });
}

function legacyRecord(google: FakeGoogle, scopes: string[]): GoogleTokenRecord {
  google.grants.set('rt-legacy', { scopes, revoked: false });
  google.accessTokens.set('at-legacy', scopes);
  return { refreshToken: 'rt-legacy', refreshTokenIssuedAt: Date.now(), accessToken: 'at-legacy', expiresAt: Date.now() + HOUR_MS, email: EMAIL, scopes };
}

describe('Google token client: one grant per identity and mail scope', () => {
  it('keeps the gmail grant when the same user signs in for gmail-api, and serves each its own scope', async () => {
    const { google, store, client } = setUp();
    const imap = await signIn(google, client, GMAIL);
    const api = await signIn(google, client, GMAIL_API);
    assert.equal(imap.homeAccountId, SUB);
    assert.equal(api.homeAccountId, SUB);
    assert.equal(store.records.size, 2);

    const cachedImap = await client.acquireSilent(SUB, GMAIL, false);
    const cachedApi = await client.acquireSilent(SUB, GMAIL_API, false);
    assert.equal(cachedImap.accessToken, imap.accessToken);
    assert.equal(cachedApi.accessToken, api.accessToken);
    assert.ok(google.accessTokens.get(cachedImap.accessToken)!.includes(GMAIL_SCOPE));

    const refreshedImap = await client.acquireSilent(SUB, GMAIL, true);
    const refreshedApi = await client.acquireSilent(SUB, GMAIL_API, true);
    assert.equal(google.refreshCalls, 2);
    assert.ok(google.accessTokens.get(refreshedImap.accessToken)!.includes(GMAIL_SCOPE));
    assert.ok(!google.accessTokens.get(refreshedImap.accessToken)!.includes(GMAIL_API_SCOPE));
    assert.ok(google.accessTokens.get(refreshedApi.accessToken)!.includes(GMAIL_API_SCOPE));
    assert.ok(!google.accessTokens.get(refreshedApi.accessToken)!.includes(GMAIL_SCOPE));
  });

  it('serves a vault from before from its bare-sub record for the scope it holds, and moves it on the next write', async () => {
    const { google, store, client } = setUp();
    store.records.set(SUB, legacyRecord(google, GMAIL));

    const cached = await client.acquireSilent(SUB, GMAIL, false);
    assert.equal(cached.accessToken, 'at-legacy');
    assert.equal(cached.username, EMAIL);
    await assert.rejects(client.acquireSilent(SUB, GMAIL_API, false), { errorCode: 'no_account_found' });
    assert.deepEqual([...store.records.keys()], [SUB], 'reading writes nothing');

    const refreshed = await client.acquireSilent(SUB, GMAIL, true);
    assert.ok(google.accessTokens.get(refreshed.accessToken)!.includes(GMAIL_SCOPE));
    assert.deepEqual([...store.records.keys()], [`${SUB} ${GMAIL_SCOPE}`]);
    assert.equal(store.get(`${SUB} ${GMAIL_SCOPE}`)!.refreshToken, 'rt-legacy');
    assert.equal((await client.acquireSilent(SUB, GMAIL, false)).accessToken, refreshed.accessToken);
  });

  it('leaves an older vault\'s grant of the other scope in place when signing in for this one', async () => {
    const { google, store, client } = setUp();
    store.records.set(SUB, legacyRecord(google, GMAIL_API));
    await signIn(google, client, GMAIL);
    assert.deepEqual([...store.records.keys()].sort(), [SUB, `${SUB} ${GMAIL_SCOPE}`].sort());
    assert.equal((await client.acquireSilent(SUB, GMAIL_API, false)).accessToken, 'at-legacy');
    await signIn(google, client, GMAIL_API);
    assert.deepEqual([...store.records.keys()].sort(), [`${SUB} ${GMAIL_API_SCOPE}`, `${SUB} ${GMAIL_SCOPE}`].sort(), 'the legacy record is replaced by its own scope');
  });

  it('forgets only the rejected grant: after invalid_grant on gmail-api, gmail still refreshes', async () => {
    const { google, client } = setUp();
    await signIn(google, client, GMAIL);
    await signIn(google, client, GMAIL_API);
    google.revokeGrantFor(GMAIL_API_SCOPE);
    await assert.rejects(client.acquireSilent(SUB, GMAIL_API, true), (error: { response?: { data?: { error?: string } } }) => error.response?.data?.error === 'invalid_grant');
    await client.removeGrant(SUB, GMAIL_API);
    await assert.rejects(client.acquireSilent(SUB, GMAIL_API, false), { errorCode: 'no_account_found' });
    const imap = await client.acquireSilent(SUB, GMAIL, true);
    assert.ok(google.accessTokens.get(imap.accessToken)!.includes(GMAIL_SCOPE));
  });

  it('forgets an older vault\'s record only for the scope it holds', async () => {
    const { google, store, client } = setUp();
    store.records.set(SUB, legacyRecord(google, GMAIL));
    await client.removeGrant(SUB, GMAIL_API);
    assert.ok(store.get(SUB), 'a gmail-api grant going does not take the old gmail one');
    await client.removeGrant(SUB, GMAIL);
    assert.equal(store.records.size, 0);
  });

  it('forgets every grant of the identity, an older vault\'s included, on removeAccount', async () => {
    const { google, store, client } = setUp();
    store.records.set(SUB, legacyRecord(google, GMAIL));
    await signIn(google, client, GMAIL);
    await signIn(google, client, GMAIL_API);
    store.records.set(SUB, legacyRecord(google, GMAIL));
    store.records.set('100000000099 https://mail.google.com/', legacyRecord(google, GMAIL));
    await client.removeAccount(SUB);
    assert.deepEqual([...store.records.keys()], ['100000000099 https://mail.google.com/'], 'another identity stays');
  });
});
