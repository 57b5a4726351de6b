/**
 * Entra's `<authority>/v2.0/.well-known/openid-configuration`, for a tenant on this provider.
 *
 * Served by us rather than oidc-provider because Entra's document lives under `/v2.0` while the
 * endpoints it lists do not, and because the same JSON is handed to MSAL as `authorityMetadata`.
 */
import { ENTRA_ROUTES } from './oidc-configuration.js';

export function entraOpenIdConfiguration(origin: string, tenantId: string): Record<string, unknown> {
  const authority = `${origin}/${tenantId}`;
  return {
    token_endpoint: `${authority}${ENTRA_ROUTES.token}`,
    token_endpoint_auth_methods_supported: ['none'],
    jwks_uri: `${authority}${ENTRA_ROUTES.jwks}`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${authority}/v2.0`,
    request_uri_parameter_supported: false,
    authorization_endpoint: `${authority}${ENTRA_ROUTES.authorization}`,
    end_session_endpoint: `${authority}${ENTRA_ROUTES.end_session}`,
    code_challenge_methods_supported: ['S256'],
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'name', 'preferred_username', 'oid', 'tid', 'ver'],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  };
}
