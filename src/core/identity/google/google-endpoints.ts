/**
 * Google's OAuth endpoints, or the same layout below an override base URL.
 *
 * The override (setting `google.endpoint`) is how tests point google-auth-library at a local
 * identity provider, through the library's own `endpoints` option.
 */
export interface GoogleEndpoints {
  oauth2AuthBaseUrl: string;
  oauth2TokenUrl: string;
  oauth2RevokeUrl: string;
  tokenInfoUrl: string;
}

export const GOOGLE_ENDPOINTS: Readonly<GoogleEndpoints> = {
  oauth2AuthBaseUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  oauth2TokenUrl: 'https://oauth2.googleapis.com/token',
  oauth2RevokeUrl: 'https://oauth2.googleapis.com/revoke',
  tokenInfoUrl: 'https://oauth2.googleapis.com/tokeninfo',
};

export function googleEndpointsFor(override: string | null): GoogleEndpoints {
  if (!override) return GOOGLE_ENDPOINTS;
  const base = override.replace(/\/+$/, '');
  return {
    oauth2AuthBaseUrl: `${base}/o/oauth2/v2/auth`,
    oauth2TokenUrl: `${base}/token`,
    oauth2RevokeUrl: `${base}/revoke`,
    tokenInfoUrl: `${base}/tokeninfo`,
  };
}
