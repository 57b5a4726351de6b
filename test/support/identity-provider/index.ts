/** A local Entra ID look-alike for end-to-end tests and `npm run demo`. See identity-provider.ts. */
export { startIdentityProvider, DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID, DEFAULT_USERS } from './identity-provider.js';
export type { IdentityProviderOptions, TestIdentityProvider } from './identity-provider.js';
export { completeSignIn, SignInPageError } from './browser.js';
export type { CompleteSignInOptions, SignInResult } from './browser.js';
export { createTrustingNetworkClient } from './msal-network-client.js';
export { ADMIN_ACTIONS, ADMIN_KEY_HEADER } from './admin-api.js';
export type { AdminControls } from './admin-api.js';
export { DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS } from './provider-controls.js';
export type { IdentityProviderUser, IdentityProviderUserOption, InjectedFailureStatus, TokenGrantType } from './provider-controls.js';
export type { RevocationAadstsCode } from './entra-errors.js';
export type { VerifyAccessTokenOptions } from './access-token-verifier.js';
