/**
 * A local identity provider that behaves like Google's OAuth 2.0 endpoints, for tests.
 *
 * Google's URL layout (`/o/oauth2/v2/auth`, `/token`, `/revoke`), a "Desktop app" client
 * whose `client_secret` the token endpoint requires (client_secret_post, as
 * google-auth-library sends it), `access_type=offline` instead of an offline_access scope,
 * the Gmail scopes, refresh tokens that are never rotated, and `invalid_grant` ("Token has
 * been expired or revoked.") once a user's grant is revoked. oidc-provider underneath, HTTPS
 * on 127.0.0.1 with a throwaway certificate. tokentray reaches it through its
 * `google.endpoint` setting, which becomes google-auth-library's own `endpoints` option.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import type { InteractionResult, KoaContext, KoaMiddleware } from 'oidc-provider';
import { errorPage, signInPage } from './html-pages.js';
import { parseForm, readBody } from './request-body.js';
import { splitScopes } from './scopes.js';
import { generateLoopbackCertificate, writeCertificateFile } from './tls-certificate.js';

export const GOOGLE_TEST_CLIENT_ID = '123456789012-tokentraytest.apps.googleusercontent.com';
export const GMAIL_SCOPE = 'https://mail.google.com/';
export const GMAIL_API_SCOPE = 'https://www.googleapis.com/auth/gmail.modify';
const GOOGLE_ROUTES = { authorization: '/o/oauth2/v2/auth', token: '/token', revocation: '/revoke', jwks: '/oauth2/v3/certs' } as const;
const SIGN_IN_PATH = '/signin';
const REFRESH_TOKEN_TTL_SECONDS = 180 * 24 * 60 * 60; // "unused for six months"
const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 3599; // what Google answers

export interface GoogleTestUser {
  email: string;
  sub: string;
}

export interface GoogleIdentityProvider {
  /** The base URL for tokentray's `google.endpoint` setting. */
  readonly endpoint: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly caCertPem: string;
  readonly caCertPath: string;
  readonly users: readonly GoogleTestUser[];
  setAccessTokenLifetime(seconds: number): void;
  /** Every grant of `email` issued so far answers invalid_grant; later sign-ins work again. */
  revokeUser(email: string): void;
  /**
   * Only the grants of `email` that carry `scope` answer invalid_grant (as Google judges each
   * refresh token apart: its own 7-day "Testing" expiry, the per-client token limit).
   */
  revokeGrant(email: string, scope: string): void;
  tokenEndpointCalls(filter?: { grantType?: 'authorization_code' | 'refresh_token' }): number;
  /** The user and scopes of an access token this provider issued, or null. */
  introspect(accessToken: string): Promise<{ email: string; scopes: string[] } | null>;
  /** Every distinct refresh token handed out, in order (a refresh answers with the same one). */
  issuedRefreshTokens(): string[];
  issuedTokens(): string[];
  close(): Promise<void>;
}

export interface GoogleIdentityProviderOptions {
  users?: readonly string[];
  accessTokenLifetimeSeconds?: number;
  log?: (line: string) => void;
}

export async function startGoogleIdentityProvider(options: GoogleIdentityProviderOptions = {}): Promise<GoogleIdentityProvider> {
  const users: GoogleTestUser[] = (options.users ?? ['alice@gmail.test']).map((email) => ({ email, sub: String(100_000_000_000 + Math.floor(Math.random() * 1e9)) }));
  const clientSecret = `GOCSPX-${randomBytes(21).toString('base64url')}`;
  let accessTokenLifetime = options.accessTokenLifetimeSeconds ?? DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS;
  const offlineGrants = new Set<string>();
  const revokedBefore = new Map<string, number>(); // sub → epoch seconds
  const revokedScopes: ScopeRevocation[] = [];
  const calls = new Map<string, number>();
  const refreshTokens: string[] = [];
  const issued: string[] = [];
  const log = options.log ?? (() => {});

  const certificate = await generateLoopbackCertificate();
  const certDir = await mkdtemp(join(tmpdir(), 'tokentray-google-idp-'));
  const caCertPath = join(certDir, 'ca.pem');
  await writeCertificateFile(caCertPath, certificate.certPem);
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingJwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };

  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => void res.writeHead(503).end();
  const server = createServer({ key: certificate.keyPem, cert: certificate.certPem }, (req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `https://127.0.0.1:${port}`;

  const provider = new Provider(origin, {
    clients: [{
      client_id: GOOGLE_TEST_CLIENT_ID,
      client_secret: clientSecret,
      application_type: 'native',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/'],
    }],
    jwks: { keys: [signingJwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: ['openid', 'email', GMAIL_SCOPE, GMAIL_API_SCOPE],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    findAccount: async (_ctx: unknown, sub: string) => {
      const user = users.find((candidate) => candidate.sub === sub);
      return user ? { accountId: sub, claims: async () => ({ sub, email: user.email, email_verified: true }) } : undefined;
    },
    // Google: access_type=offline (not a scope) asks for a refresh token; the grant remembers it.
    issueRefreshToken: async (_ctx: unknown, _client: unknown, code: { grantId?: string }) => Boolean(code.grantId && offlineGrants.has(code.grantId)),
    extraParams: ['access_type'],
    rotateRefreshToken: false,
    pkce: { required: () => true },
    routes: GOOGLE_ROUTES,
    features: { devInteractions: { enabled: false }, revocation: { enabled: true }, userinfo: { enabled: false } },
    interactions: { url: async (_ctx: unknown, interaction: { uid: string }) => `${SIGN_IN_PATH}/${interaction.uid}` },
    ttl: {
      AccessToken: () => accessTokenLifetime,
      AuthorizationCode: 600,
      RefreshToken: REFRESH_TOKEN_TTL_SECONDS,
      Grant: REFRESH_TOKEN_TTL_SECONDS,
      Session: REFRESH_TOKEN_TTL_SECONDS,
      IdToken: 3600,
      Interaction: 3600,
    },
    renderError: async (ctx: KoaContext, out: { error: string; error_description?: string }) => {
      ctx.type = 'html';
      ctx.body = errorPage(`${out.error}: ${out.error_description ?? ''}`);
    },
  } as never);
  provider.on('server_error', (_ctx, error) => log(`[google-idp] server error: ${error.stack ?? error.message}`));
  provider.on('authorization.success', (_ctx, out) => {
    delete out.iss; // Google's redirect carries code, scope, authuser, prompt: no iss
  });

  provider.use(signInMiddleware(provider, users, offlineGrants));
  provider.use(tokenMiddleware(provider, revokedBefore, revokedScopes, calls, (body) => {
    if (body.refresh_token) refreshTokens.push(body.refresh_token);
    for (const token of [body.access_token, body.refresh_token, body.id_token]) if (token) issued.push(token);
  }));
  const callback = provider.callback();
  handle = (req, res) => callback(req, res);

  return {
    endpoint: origin,
    clientId: GOOGLE_TEST_CLIENT_ID,
    clientSecret,
    caCertPem: certificate.certPem,
    caCertPath,
    users,
    setAccessTokenLifetime: (seconds) => {
      accessTokenLifetime = seconds;
    },
    revokeUser: (email) => {
      const user = users.find((candidate) => candidate.email === email);
      if (!user) throw new Error(`no such user ${email}`);
      revokedBefore.set(user.sub, Math.floor(Date.now() / 1000) + 1);
    },
    revokeGrant: (email, scope) => {
      const user = users.find((candidate) => candidate.email === email);
      if (!user) throw new Error(`no such user ${email}`);
      revokedScopes.push({ sub: user.sub, scope, before: Math.floor(Date.now() / 1000) + 1 });
    },
    tokenEndpointCalls: (filter) => (filter?.grantType ? calls.get(filter.grantType) ?? 0 : [...calls.values()].reduce((a, b) => a + b, 0)),
    introspect: async (accessToken) => {
      const token = await provider.AccessToken.find(accessToken);
      const user = token && users.find((candidate) => candidate.sub === token.accountId);
      return user && token ? { email: user.email, scopes: splitScopes(token.scope) } : null;
    },
    issuedRefreshTokens: () => [...new Set(refreshTokens)],
    issuedTokens: () => [...issued],
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await rm(certDir, { recursive: true, force: true });
    },
  };
}

/** The sign-in + consent page (the same markup browser.ts fills for the Entra look-alike). */
function signInMiddleware(provider: Provider, users: readonly GoogleTestUser[], offlineGrants: Set<string>): KoaMiddleware {
  const pattern = new RegExp(`^${SIGN_IN_PATH}/([\\w-]+)$`);
  return async (ctx, next) => {
    const uid = pattern.exec(ctx.path)?.[1];
    if (!uid || (ctx.method !== 'GET' && ctx.method !== 'POST')) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const { params } = details;
    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = signInPage({
        action: `${SIGN_IN_PATH}/${uid}`,
        loginHint: params.login_hint ?? '',
        clientId: params.client_id ?? '',
        scopes: splitScopes(params.scope),
        usernames: users.map((user) => user.email),
      });
      return;
    }
    const form = parseForm(await readBody(ctx.req));
    const user = users.find((candidate) => candidate.email.toLowerCase() === (form.username ?? '').trim().toLowerCase());
    let result: InteractionResult;
    if (form.consent === 'decline') {
      result = { error: 'access_denied', error_description: 'The user denied access.' };
    } else if (!user) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = errorPage("Couldn't find your Google Account.");
      return;
    } else if (form.outcome === 'blocked') {
      result = { error: 'admin_policy_enforced', error_description: 'The Google Workspace administrator blocks this app.' };
    } else {
      const grant = new provider.Grant({ accountId: user.sub, clientId: params.client_id ?? '' });
      grant.addOIDCScope(splitScopes(params.scope).filter((scope) => scope === 'openid' || scope === 'email').join(' '));
      const others = splitScopes(params.scope).filter((scope) => scope !== 'openid' && scope !== 'email');
      if (others.length > 0) grant.addOIDCScope(others.join(' '));
      const grantId = await grant.save();
      if (params.access_type === 'offline') offlineGrants.add(grantId);
      result = { login: { accountId: user.sub }, consent: { grantId } };
    }
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(returnTo);
  };
}

interface TokenBody {
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
}

interface ScopeRevocation {
  sub: string;
  scope: string;
  before: number; // epoch seconds
}

/** Counts calls and answers revoked grants with Google's invalid_grant. */
function tokenMiddleware(
  provider: Provider,
  revokedBefore: Map<string, number>,
  revokedScopes: readonly ScopeRevocation[],
  calls: Map<string, number>,
  record: (body: TokenBody) => void,
): KoaMiddleware {
  return async (ctx, next) => {
    if (ctx.path !== GOOGLE_ROUTES.token || ctx.method !== 'POST') return next();
    const raw = await readBody(ctx.req);
    ctx.req.body = raw;
    const form = parseForm(raw);
    const grantType = form.grant_type ?? '';
    calls.set(grantType, (calls.get(grantType) ?? 0) + 1);
    if (grantType === 'refresh_token' && form.refresh_token) {
      const token = await provider.RefreshToken.find(form.refresh_token);
      const cutoff = token ? revokedBefore.get(token.accountId) : undefined;
      const issuedAt = token?.iat ?? 0;
      const scopeRevoked = token && revokedScopes.some((r) => r.sub === token.accountId && splitScopes(token.scope).includes(r.scope) && issuedAt < r.before);
      if (token && ((cutoff !== undefined && issuedAt < cutoff) || scopeRevoked)) {
        ctx.status = 400;
        ctx.body = { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' };
        return;
      }
    }
    await next();
    if (ctx.status === 200) record(ctx.body as TokenBody);
  };
}

/** The environment a `tokentray` child process needs to sign in to `idp` with data in `home` (no browser opened). */
export function googleCliEnv(idp: GoogleIdentityProvider, home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    BROWSER: '',
    TOKENTRAY_HOME: home,
    TOKENTRAY_PORT: '0',
    TOKENTRAY_GOOGLE_CLIENT_ID: idp.clientId,
    TOKENTRAY_GOOGLE_ENDPOINT: idp.endpoint,
    NODE_EXTRA_CA_CERTS: idp.caCertPath,
  };
}
