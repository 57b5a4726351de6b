/**
 * A local identity provider that behaves like Microsoft Entra ID, for end-to-end tests and the demo.
 *
 * HTTPS on 127.0.0.1 with a throwaway certificate, Entra's URL layout under `/<tenantId>`,
 * oidc-provider underneath. Everything a test can change (lifetime, revocation, failures, delay)
 * is a method here and also an `/__admin/...` call for other processes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import type { JWTPayload } from 'jose';
import Provider from 'oidc-provider';
import type { KoaContext } from 'oidc-provider';
import { createAccessTokenVerifier } from './access-token-verifier.js';
import type { VerifyAccessTokenOptions } from './access-token-verifier.js';
import { ADMIN_PATH_PREFIX, handleAdminRequest } from './admin-api.js';
import type { AdminControls } from './admin-api.js';
import { entraOpenIdConfiguration } from './discovery.js';
import type { RevocationAadstsCode } from './entra-errors.js';
import { buildOidcConfiguration, ENTRA_ROUTES, SIGN_IN_PATH } from './oidc-configuration.js';
import { ProviderControls } from './provider-controls.js';
import type { IdentityProviderUser, IdentityProviderUserOption, InjectedFailureStatus, TokenGrantType } from './provider-controls.js';
import { authorizeRequestMiddleware, signInMiddleware } from './sign-in-flow.js';
import { generateLoopbackCertificate, writeCertificateFile } from './tls-certificate.js';
import { clientInfo, tokenEndpointMiddleware } from './token-endpoint.js';

/** A fixed tenant so snapshots and logs are stable across runs. */
export const DEFAULT_TENANT_ID = '8f2c6a4e-3b1d-4c5e-9a7f-0d1e2f3a4b5c';
/** A fixed app registration id, like the one a real build of tokentray ships with. */
export const DEFAULT_CLIENT_ID = 'a3c1f0d2-5e6b-4f7a-8c9d-1e2f3a4b5c6d';
export const DEFAULT_USERS: readonly IdentityProviderUserOption[] = [{ username: 'alice@contoso.test', name: 'Alice Example' }];
/** Entra's usual revocation: the user changed their password. */
const DEFAULT_REVOCATION_CODE: RevocationAadstsCode = 50173;

export interface IdentityProviderOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  tenantId?: string;
  clientId?: string;
  users?: readonly IdentityProviderUserOption[];
  /** Where to write the certificate; default a fresh temp directory removed on close(). */
  caCertPath?: string;
  accessTokenLifetimeSeconds?: number;
  /** Receives `[identity-provider] ...` lines (server errors); default: none. */
  log?: (line: string) => void;
}

export interface TestIdentityProvider extends AdminControls {
  /** `https://127.0.0.1:PORT/<tenantId>`: MSAL's `auth.authority`. */
  readonly authority: string;
  /** `https://127.0.0.1:PORT/<tenantId>/v2.0`: `iss` of every token. */
  readonly issuer: string;
  /** `127.0.0.1:PORT`: what goes into MSAL's `knownAuthorities`. */
  readonly host: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly port: number;
  readonly caCertPem: string;
  readonly caCertPath: string;
  /** The discovery document as a JSON string: MSAL's `auth.authorityMetadata`. */
  readonly authorityMetadata: string;
  /** Sent as header `x-admin-key` to `/__admin/...`. */
  readonly adminKey: string;
  readonly adminUrl: string;
  readonly users: readonly IdentityProviderUser[];
  revokeUser(username: string, aadstsCode?: RevocationAadstsCode): void;
  /** How long new device codes live (Entra: 15 minutes). */
  setDeviceCodeLifetime(seconds: number): void;
  verifyAccessToken(token: string, options?: VerifyAccessTokenOptions): Promise<JWTPayload>;
  close(): Promise<void>;
}

export async function startIdentityProvider(options: IdentityProviderOptions = {}): Promise<TestIdentityProvider> {
  const tenantId = options.tenantId ?? DEFAULT_TENANT_ID;
  const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
  const log = options.log ?? (() => {});
  const controls = new ProviderControls(options.users ?? DEFAULT_USERS);
  if (options.accessTokenLifetimeSeconds !== undefined) controls.setAccessTokenLifetime(options.accessTokenLifetimeSeconds);

  const certificate = await generateLoopbackCertificate();
  const ownCertDir = options.caCertPath ? undefined : await mkdtemp(join(tmpdir(), 'tokentray-idp-'));
  const caCertPath = options.caCertPath ?? join(ownCertDir ?? '', 'ca.pem');
  await writeCertificateFile(caCertPath, certificate.certPem);

  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const signingJwk = { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
  const adminKey = randomBytes(24).toString('base64url');

  // The issuer needs the port, which is only known once listening: bind first, build the provider after.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createServer({ key: certificate.keyPem, cert: certificate.certPem }, (req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `https://127.0.0.1:${port}`;
  const authority = `${origin}/${tenantId}`;
  const issuer = `${authority}/v2.0`;
  const discovery = entraOpenIdConfiguration(origin, tenantId);
  const authorityMetadata = JSON.stringify(discovery);

  const provider = new Provider(issuer, buildOidcConfiguration({ controls, tenantId, clientId, signingJwk }));
  const errorDetails = new WeakMap<KoaContext, string>();
  provider.on('grant.error', (ctx, error) => errorDetails.set(ctx, error.error_detail ?? ''));
  provider.on('server_error', (_ctx, error) => log(`[identity-provider] server error: ${error.stack ?? error.message}`));
  provider.on('authorization.success', (ctx, out) => {
    // Entra returns client_info with the code (MSAL asks with client_info=1) and no `iss`.
    if (!out) return; // a device-code approval has no redirect parameters
    const accountId = ctx.oidc.session?.accountId;
    if (out.code && accountId) out.client_info = clientInfo(accountId, tenantId);
    delete out.iss;
  });
  provider.use(authorizeRequestMiddleware(ENTRA_ROUTES.authorization));
  provider.use(signInMiddleware({ provider, controls, tenantId, signInPath: SIGN_IN_PATH }));
  provider.use(async (ctx, next) => {
    await next();
    // Entra's device-code answer carries the polling interval and a sentence for the user.
    const body = ctx.body as { user_code?: string; verification_uri?: string; interval?: number; message?: string } | undefined;
    if (ctx.path === ENTRA_ROUTES.device_authorization && ctx.status === 200 && body?.user_code) {
      body.interval = controls.deviceCodePollIntervalSeconds;
      body.message = `To sign in, use a web browser to open the page ${body.verification_uri ?? ''} and enter the code ${body.user_code} to authenticate.`;
    }
  });
  provider.use(tokenEndpointMiddleware({ controls, tenantId, tokenPath: ENTRA_ROUTES.token, errorDetails }));
  const oidcCallback = provider.callback();

  const tenantPrefix = `/${tenantId}`;
  const discoveryPath = `${tenantPrefix}/v2.0/.well-known/openid-configuration`;

  const idp: TestIdentityProvider = {
    authority,
    issuer,
    host: `127.0.0.1:${port}`,
    tenantId,
    clientId,
    port,
    caCertPem: certificate.certPem,
    caCertPath,
    authorityMetadata,
    adminKey,
    adminUrl: `${origin}${ADMIN_PATH_PREFIX}`,
    users: controls.users,
    setAccessTokenLifetime: (seconds) => controls.setAccessTokenLifetime(seconds),
    setDeviceCodeLifetime: (seconds: number) => {
      controls.deviceCodeLifetimeSeconds = seconds;
    },
    revokeUser: (username, aadstsCode = DEFAULT_REVOCATION_CODE) => controls.revokeUser(username, aadstsCode),
    restoreUser: (username) => controls.restoreUser(username),
    failTokenRequests: (failure: { status: InjectedFailureStatus; count: number }) => controls.failTokenRequests(failure),
    setTokenDelay: (ms) => controls.setTokenDelay(ms),
    tokenEndpointCalls: (filter?: { grantType?: TokenGrantType }) => controls.tokenEndpointCalls(filter),
    resetCounters: () => controls.resetCounters(),
    issuedTokens: () => controls.issuedTokens(),
    verifyAccessToken: createAccessTokenVerifier(publicKey, issuer),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      if (ownCertDir) await rm(ownCertDir, { recursive: true, force: true });
    },
  };

  handle = (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith(ADMIN_PATH_PREFIX)) {
      handleAdminRequest(req, res, adminKey, idp).catch((error: unknown) => {
        log(`[identity-provider] admin request failed: ${String(error)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    } else if (path === discoveryPath) {
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(authorityMetadata);
    } else if (path.startsWith(`${tenantPrefix}/`)) {
      // Mount oidc-provider below the tenant, the way express does: it prefixes its URLs with
      // req.baseUrl. (Not originalUrl: oidc-provider derives the prefix from originalUrl minus the
      // current url, which breaks once our authorize middleware rewrites the query.)
      (req as IncomingMessage & { baseUrl?: string }).baseUrl = tenantPrefix;
      req.url = (req.url ?? '').slice(tenantPrefix.length);
      oidcCallback(req, res);
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not_found', error_description: `No tenant here: use ${authority}` }));
    }
  };

  return idp;
}
