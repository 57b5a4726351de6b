/**
 * oidc-provider configuration that makes it talk like Entra ID's v2.0 endpoints.
 *
 * What oidc-provider does natively here: authorization code + PKCE for a public "native" client
 * (any loopback port, RFC 8252), form_post responses, refresh token rotation, RS256 id_tokens,
 * JWT access tokens per resource (resource indicators), the JWKS. What we bend:
 * - Entra has no `resource` parameter: the resource is the prefix of the requested scopes
 *   (`defaultResource`), and any resource/permission is accepted (`getResourceServerInfo`).
 * - Access token claims get Entra's names (`scp`, `oid`, `tid`, `upn`, ...) in `formats.customizers.jwt`.
 * - id_tokens carry `oid`, `tid`, `preferred_username`, `name`, `ver` (`conformIdTokenClaims: false`).
 */
import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { errors } from 'oidc-provider';
import type { AccessTokenModel, KoaContext, StructuredJwt } from 'oidc-provider';
import { aadstsMessage } from './entra-errors.js';
import { errorPage } from './html-pages.js';
import type { ProviderControls } from './provider-controls.js';
import { resourcesOf, scopesOfResource, shortScopeName, splitScopes } from './scopes.js';

/** Entra's paths below `/<tenant>`; oidc-provider sees requests with the tenant prefix stripped. */
export const ENTRA_ROUTES = {
  authorization: '/oauth2/v2.0/authorize',
  token: '/oauth2/v2.0/token',
  jwks: '/discovery/v2.0/keys',
  end_session: '/oauth2/v2.0/logout',
  // msal-node derives the device-code endpoint from the token endpoint ("/token" → "/devicecode").
  device_authorization: '/oauth2/v2.0/devicecode',
  code_verification: '/deviceauth',
} as const;

/** Where oidc-provider sends the browser to sign in (below `/<tenant>`). */
export const SIGN_IN_PATH = '/login';

const AUTHORIZATION_CODE_TTL_SECONDS = 10 * 60;
/** Entra refresh tokens live 90 days (sliding); nothing in a test gets near it. */
const REFRESH_TOKEN_TTL_SECONDS = 90 * 24 * 60 * 60;
const ID_TOKEN_TTL_SECONDS = 60 * 60;
const INTERACTION_TTL_SECONDS = 60 * 60;

export interface OidcConfigurationInput {
  controls: ProviderControls;
  tenantId: string;
  clientId: string;
  signingJwk: JWK;
}

type OidcParamsContext = { oidc: { params: Record<string, string | undefined> } };

export function buildOidcConfiguration({ controls, tenantId, clientId, signingJwk }: OidcConfigurationInput): Record<string, unknown> {
  return {
    clients: [{
      client_id: clientId,
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types: ['code'],
      // Native clients may use any port on a registered loopback redirect URI (RFC 8252 7.3).
      redirect_uris: ['http://localhost', 'http://127.0.0.1'],
    }],
    jwks: { keys: [signingJwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: async (_ctx: unknown, accountId: string) => {
      const user = controls.userByOid(accountId);
      if (!user) return undefined;
      return {
        accountId,
        // `sub` equals `oid` here; Entra's `sub` is pairwise per app, which no test depends on.
        claims: async () => ({ sub: accountId, oid: user.oid, tid: tenantId, ver: '2.0', name: user.name, preferred_username: user.username }),
      };
    },
    claims: { openid: ['sub', 'oid', 'tid', 'ver'], profile: ['name', 'preferred_username'] },
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      // Entra's userinfo lives on Graph, not on the authority.
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: true },
      // Entra's device-code flow (RFC 8628); oidc-provider's own code entry and confirmation pages.
      deviceFlow: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (ctx: OidcParamsContext, _client: unknown, oneOf?: string[]) => {
          if (oneOf) return oneOf[0];
          const resources = resourcesOf(ctx.oidc.params.scope);
          if (resources.length > 1) {
            throw new errors.InvalidScope(aadstsMessage(28000, { scope: ctx.oidc.params.scope ?? '' }), ctx.oidc.params.scope ?? '');
          }
          return resources[0];
        },
        // Refresh grants carry no resource parameter: the refresh token's resource applies.
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx: OidcParamsContext, resource: string) => ({
          scope: controls.rememberResourceScopes(resource, scopesOfResource(ctx.oidc.params.scope, resource)).join(' '),
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: controls.accessTokenLifetimeSeconds,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    interactions: {
      url: async (_ctx: unknown, interaction: { uid: string }) => `/${tenantId}${SIGN_IN_PATH}/${interaction.uid}`,
    },
    pkce: { required: () => true },
    routes: ENTRA_ROUTES,
    rotateRefreshToken: true,
    ttl: {
      AccessToken: () => controls.accessTokenLifetimeSeconds,
      AuthorizationCode: AUTHORIZATION_CODE_TTL_SECONDS,
      RefreshToken: REFRESH_TOKEN_TTL_SECONDS,
      Grant: REFRESH_TOKEN_TTL_SECONDS,
      Session: REFRESH_TOKEN_TTL_SECONDS,
      IdToken: ID_TOKEN_TTL_SECONDS,
      DeviceCode: () => controls.deviceCodeLifetimeSeconds,
      Interaction: INTERACTION_TTL_SECONDS,
    },
    formats: {
      customizers: {
        jwt: async (_ctx: unknown, token: AccessTokenModel, jwt: StructuredJwt) => {
          entraAccessTokenClaims(controls, tenantId, token, jwt);
        },
      },
    },
    renderError: async (ctx: KoaContext, out: { error: string; error_description?: string }) => {
      ctx.type = 'html';
      ctx.body = errorPage(`${aadstsMessage(9002313)} ${out.error}: ${out.error_description ?? ''}`);
    },
  };
}

/** Renames oidc-provider's access token claims to the ones Entra issues. */
function entraAccessTokenClaims(controls: ProviderControls, tenantId: string, token: AccessTokenModel, jwt: StructuredJwt): void {
  const user = controls.userByOid(token.accountId);
  const { payload } = jwt;
  delete payload.scope;
  delete payload.client_id;
  Object.assign(payload, {
    nbf: payload.iat,
    tid: tenantId,
    oid: token.accountId,
    upn: user?.username,
    unique_name: user?.username,
    preferred_username: user?.username,
    name: user?.name,
    appid: token.clientId,
    scp: splitScopes(token.scope).map(shortScopeName).join(' '),
    ver: '1.0',
  });
  // oidc-provider types access tokens `at+jwt` (RFC 9068); Entra's say plain `JWT`.
  jwt.header = { ...jwt.header, typ: 'JWT' };
}
