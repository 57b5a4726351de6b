/**
 * The local Entra look-alike, driven by the real @azure/msal-node the app uses.
 *
 * If these pass, an end-to-end test that signs in through the provider exercises the same MSAL
 * code paths as production: discovery via authorityMetadata, loopback form_post, PKCE, refresh
 * token rotation, and Entra-shaped errors.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { PublicClientApplication, ServerError } from '@azure/msal-node';
import type { AccountInfo, AuthenticationResult } from '@azure/msal-node';
import {
  ADMIN_KEY_HEADER,
  completeSignIn,
  createTrustingNetworkClient,
  SignInPageError,
  startIdentityProvider,
} from './identity-provider/index.js';
import type { CompleteSignInOptions, SignInResult, TestIdentityProvider } from './identity-provider/index.js';

const OUTLOOK_SCOPES = ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access'];
const GRAPH_SCOPES = ['https://graph.microsoft.com/Mail.ReadWrite', 'https://graph.microsoft.com/Mail.Send', 'https://graph.microsoft.com/User.Read', 'offline_access'];
const SUCCESS_PAGE = 'signed in: you can close this window';
const ERROR_PAGE = 'sign-in failed';

function createMsalApp(idp: TestIdentityProvider): PublicClientApplication {
  return new PublicClientApplication({
    auth: {
      clientId: idp.clientId,
      authority: idp.authority,
      knownAuthorities: [idp.host],
      authorityMetadata: idp.authorityMetadata,
    },
    // In-process trust for the provider's self-signed certificate (a child process would get
    // NODE_EXTRA_CA_CERTS=idp.caCertPath instead).
    system: { networkClient: createTrustingNetworkClient(idp.caCertPem) },
  });
}

/** Interactive sign-in where the scripted browser plays the user; returns MSAL's result and what the browser saw. */
async function signIn(
  msal: PublicClientApplication,
  idp: TestIdentityProvider,
  scopes: string[],
  browser: Omit<CompleteSignInOptions, 'caCertPem'> = {},
  request: { loginHint?: string; prompt?: string } = {},
): Promise<{ result: AuthenticationResult; page: SignInResult | undefined }> {
  let page: SignInResult | undefined;
  const result = await msal.acquireTokenInteractive({
    ...request,
    scopes,
    // MSAL's loopback listener is already listening when openBrowser runs, and it answers the
    // form post on its own, so awaiting the whole browser round trip here cannot deadlock.
    openBrowser: async (url) => {
      page = await completeSignIn(url, { ...browser, caCertPem: idp.caCertPem });
    },
    successTemplate: SUCCESS_PAGE,
    errorTemplate: ERROR_PAGE,
  });
  return { result, page };
}

function cachedRefreshToken(msal: PublicClientApplication): string {
  const cache = JSON.parse(msal.getTokenCache().serialize()) as { RefreshToken: Record<string, { secret: string }> };
  const tokens = Object.values(cache.RefreshToken);
  assert.equal(tokens.length, 1);
  return tokens[0]?.secret ?? '';
}

async function redeemRefreshTokenDirectly(idp: TestIdentityProvider, refreshToken: string): Promise<{ status: number; headers: Record<string, string>; body: Record<string, unknown> }> {
  const network = createTrustingNetworkClient(idp.caCertPem);
  return network.sendPostRequestAsync<Record<string, unknown>>(`${idp.authority}/oauth2/v2.0/token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: idp.clientId,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      scope: [...OUTLOOK_SCOPES, 'openid', 'profile'].join(' '),
    }).toString(),
  });
}

async function admin(idp: TestIdentityProvider, action: string, body: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const network = createTrustingNetworkClient(idp.caCertPem);
  const response = await network.sendPostRequestAsync<Record<string, unknown>>(`${idp.adminUrl}${action}`, {
    headers: { 'content-type': 'application/json', [ADMIN_KEY_HEADER]: idp.adminKey },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body;
}

// `void`: node:test's describe/it return promises the runner tracks itself (no-floating-promises).
void describe('local Entra ID identity provider', () => {
  let idp: TestIdentityProvider;
  let msal: PublicClientApplication;
  let account: AccountInfo;

  before(async () => {
    idp = await startIdentityProvider({ users: [{ username: 'alice@contoso.test', name: 'Alice' }, { username: 'bob@contoso.test' }] });
    msal = createMsalApp(idp);
  });

  after(async () => {
    await idp.close();
  });

  void it('serves Entra-shaped discovery under the tenant', async () => {
    const metadata = JSON.parse(idp.authorityMetadata) as Record<string, string>;
    assert.equal(metadata.issuer, `${idp.authority}/v2.0`);
    assert.equal(metadata.authorization_endpoint, `${idp.authority}/oauth2/v2.0/authorize`);
    assert.equal(metadata.token_endpoint, `${idp.authority}/oauth2/v2.0/token`);
    const served = await createTrustingNetworkClient(idp.caCertPem).sendGetRequestAsync<Record<string, string>>(
      `${idp.authority}/v2.0/.well-known/openid-configuration`,
    );
    assert.deepEqual(served.body, metadata);
    const keys = await createTrustingNetworkClient(idp.caCertPem).sendGetRequestAsync<{ keys: { kty: string; d?: string }[] }>(metadata.jwks_uri ?? '');
    assert.equal(keys.body.keys[0]?.kty, 'RSA');
    assert.equal(keys.body.keys[0]?.d, undefined, 'the JWKS must not publish the private key');
  });

  void it('signs in interactively through form_post and issues Outlook tokens', async () => {
    const { result, page } = await signIn(msal, idp, OUTLOOK_SCOPES, { username: 'alice@contoso.test' });
    assert.deepEqual({ status: page?.status, body: page?.body }, { status: 200, body: SUCCESS_PAGE });
    assert.ok(result.account);
    account = result.account;
    const alice = idp.users[0];
    assert.ok(alice);
    assert.equal(account.homeAccountId, `${alice.oid}.${idp.tenantId}`);
    assert.equal(account.username, 'alice@contoso.test');
    assert.equal(account.tenantId, idp.tenantId);
    assert.deepEqual([...result.scopes].sort(), OUTLOOK_SCOPES.filter((scope) => scope !== 'offline_access').sort());

    const claims = await idp.verifyAccessToken(result.accessToken, { audience: 'https://outlook.office.com' });
    assert.equal(claims.aud, 'https://outlook.office.com');
    assert.equal(claims.iss, idp.issuer);
    assert.equal(claims.tid, idp.tenantId);
    assert.equal(claims.oid, alice.oid);
    assert.equal(claims.upn, 'alice@contoso.test');
    assert.equal(claims.scp, 'IMAP.AccessAsUser.All SMTP.Send');
    assert.ok(typeof claims.jti === 'string' && claims.nbf === claims.iat);
    assert.equal(idp.tokenEndpointCalls({ grantType: 'authorization_code' }), 1);
    assert.ok(idp.issuedTokens().includes(result.accessToken));
  });

  void it('rejects access tokens it did not issue, for another audience, or expired', async () => {
    const { accessToken } = await msal.acquireTokenSilent({ account, scopes: OUTLOOK_SCOPES });
    const [header, payload, signature = ''] = accessToken.split('.');
    const tampered = `${header}.${payload}.${signature.slice(0, -4)}AAAA`;
    await assert.rejects(idp.verifyAccessToken(tampered));
    await assert.rejects(idp.verifyAccessToken(accessToken, { audience: 'https://graph.microsoft.com' }));
    await assert.rejects(idp.verifyAccessToken(accessToken, { currentDate: new Date(Date.now() + 2 * 60 * 60 * 1000) }), /exp/);
  });

  void it('rotates the refresh token on every refresh and refuses the old one', async () => {
    const before = cachedRefreshToken(msal);
    const first = await msal.acquireTokenSilent({ account, scopes: OUTLOOK_SCOPES });
    const refreshed = await msal.acquireTokenSilent({ account, scopes: OUTLOOK_SCOPES, forceRefresh: true });
    assert.notEqual(refreshed.accessToken, first.accessToken);
    assert.equal(idp.tokenEndpointCalls({ grantType: 'refresh_token' }), 1);
    const rotated = cachedRefreshToken(msal);
    assert.notEqual(rotated, before);

    const replay = await redeemRefreshTokenDirectly(idp, before);
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
    assert.deepEqual(replay.body.error_codes, [70000]);

    // Entra-style rotation: the replay does not take the current refresh token down with it.
    await msal.acquireTokenSilent({ account, scopes: OUTLOOK_SCOPES, forceRefresh: true });
  });

  void it('answers a revoked user with invalid_grant AADSTS50173, until restored', async () => {
    idp.revokeUser('alice@contoso.test');
    const error = await msal.acquireTokenSilent({ account, scopes: OUTLOOK_SCOPES, forceRefresh: true }).then(
      () => assert.fail('refresh must fail for a revoked user'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ServerError, String(error));
    assert.equal(error.errorCode, 'invalid_grant');
    assert.match(error.errorMessage, /AADSTS50173: The provided grant has expired due to it being revoked/);
    assert.equal(error.subError, '');

    idp.restoreUser('alice@contoso.test');
    await msal.acquireTokenSilent({ account, scopes: OUTLOOK_SCOPES, forceRefresh: true });
  });

  void it('lets a fresh interactive sign-in work after a revocation, and is drivable over /__admin', async () => {
    const other = createMsalApp(idp);
    const { result } = await signIn(other, idp, OUTLOOK_SCOPES, { username: 'bob@contoso.test' });
    assert.ok(result.account);
    await admin(idp, 'revoke-user', { username: 'bob@contoso.test', aadstsCode: 700082 });
    await assert.rejects(other.acquireTokenSilent({ account: result.account, scopes: OUTLOOK_SCOPES, forceRefresh: true }), /AADSTS700082/);

    const again = await signIn(other, idp, OUTLOOK_SCOPES, { username: 'bob@contoso.test' });
    assert.ok(again.result.account);
    await other.acquireTokenSilent({ account: again.result.account, scopes: OUTLOOK_SCOPES, forceRefresh: true });

    await admin(idp, 'reset-counters');
    await other.acquireTokenSilent({ account: again.result.account, scopes: OUTLOOK_SCOPES, forceRefresh: true });
    assert.deepEqual(await admin(idp, 'token-endpoint-calls', { grantType: 'refresh_token' }), { count: 1 });
  });

  void it('fails token requests with an injected 503 and counts them', async () => {
    idp.resetCounters();
    idp.failTokenRequests({ status: 503, count: 1 });
    const error = await msal.acquireTokenSilent({ account, scopes: OUTLOOK_SCOPES, forceRefresh: true }).then(
      () => assert.fail('refresh must fail while the endpoint answers 503'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ServerError, String(error));
    assert.equal(error.errorCode, 'temporarily_unavailable');
    assert.match(error.errorMessage, /AADSTS90033/);
    assert.equal(idp.tokenEndpointCalls(), 1);
    assert.equal(idp.tokenEndpointCalls({ grantType: 'refresh_token' }), 1);
    assert.equal(idp.tokenEndpointCalls({ grantType: 'authorization_code' }), 0);
  });

  void it('sends access_denied AADSTS65004 to the app when the user declines consent', async () => {
    let page: SignInResult | undefined;
    const error = await msal.acquireTokenInteractive({
      scopes: OUTLOOK_SCOPES,
      openBrowser: async (url) => {
        page = await completeSignIn(url, { consent: 'decline', caCertPem: idp.caCertPem });
      },
      errorTemplate: ERROR_PAGE,
    }).then(() => assert.fail('declined consent must fail'), (e: unknown) => e);
    assert.ok(error instanceof ServerError, String(error));
    assert.equal(error.errorCode, 'access_denied');
    assert.match(error.errorMessage, /AADSTS65004: User declined to consent to access the app/);
    assert.deepEqual({ status: page?.status, body: page?.body }, { status: 200, body: ERROR_PAGE });
  });

  void it('sends access_denied AADSTS50105 when the app is blocked for the user', async () => {
    await assert.rejects(signIn(msal, idp, OUTLOOK_SCOPES, { outcome: 'blocked' }), (error: unknown) => {
      assert.ok(error instanceof ServerError);
      assert.equal(error.errorCode, 'access_denied');
      assert.match(error.errorMessage, /AADSTS50105/);
      return true;
    });
  });

  void it('shows an error page for an unknown user, which fails the sign-in', async () => {
    await assert.rejects(signIn(msal, idp, OUTLOOK_SCOPES, { username: 'mallory@contoso.test' }), (error: unknown) => {
      assert.ok(error instanceof SignInPageError);
      assert.match(error.description, /AADSTS50034/);
      return true;
    });
  });

  void it('issues Graph tokens for Graph scopes, to the login_hint user', async () => {
    // (MSAL drops login_hint when prompt is select_account.)
    const { result } = await signIn(createMsalApp(idp), idp, GRAPH_SCOPES, {}, { loginHint: 'bob@contoso.test' });
    const claims = await idp.verifyAccessToken(result.accessToken, { audience: 'https://graph.microsoft.com' });
    assert.equal(claims.scp, 'Mail.ReadWrite Mail.Send User.Read');
    assert.equal(claims.upn, 'bob@contoso.test');
    assert.ok(result.refreshOn === undefined || result.refreshOn instanceof Date);
  });

  void it('applies the access token lifetime and the token delay it is given', async () => {
    idp.setAccessTokenLifetime(2);
    idp.setTokenDelay(300);
    const started = Date.now();
    const bob = createMsalApp(idp);
    const { result } = await signIn(bob, idp, OUTLOOK_SCOPES, { username: 'bob@contoso.test' }, { prompt: 'select_account' });
    assert.ok(Date.now() - started >= 300);
    const claims = await idp.verifyAccessToken(result.accessToken);
    assert.equal(Number(claims.exp) - Number(claims.iat), 2);
    idp.setAccessTokenLifetime(3600);
    idp.setTokenDelay(0);
  });

  void it('answers an injected 429 with Retry-After and an Entra error body', async () => {
    idp.failTokenRequests({ status: 429, count: 1 });
    const response = await redeemRefreshTokenDirectly(idp, 'not-a-real-refresh-token');
    assert.equal(response.status, 429);
    assert.ok(Number(response.headers['retry-after']) > 0);
    assert.equal(response.body.error, 'temporarily_unavailable');
    assert.ok(typeof response.body.trace_id === 'string' && typeof response.body.correlation_id === 'string');
    // The failure was used up: the next call reaches the grant (and fails on its own merits).
    const next = await redeemRefreshTokenDirectly(idp, 'not-a-real-refresh-token');
    assert.equal(next.status, 400);
    assert.equal(next.body.error, 'invalid_grant');
  });

  void it('is trusted by a child process through NODE_EXTRA_CA_CERTS', async () => {
    const script = `fetch(${JSON.stringify(`${idp.authority}/v2.0/.well-known/openid-configuration`)}).then((r) => r.json()).then((j) => console.log(j.issuer))`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: idp.caCertPath, NODE_OPTIONS: '' },
    });
    assert.equal(stdout.trim(), idp.issuer);
  });

  void it('refuses admin calls without the key', async () => {
    const response = await createTrustingNetworkClient(idp.caCertPem).sendPostRequestAsync<Record<string, unknown>>(`${idp.adminUrl}reset-counters`, {
      headers: { 'content-type': 'application/json', [ADMIN_KEY_HEADER]: 'wrong' },
      body: '{}',
    });
    assert.equal(response.status, 401);
  });
});
