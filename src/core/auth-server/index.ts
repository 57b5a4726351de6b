/**
 * The auth server EmailEngine calls for tokens: what the core needs to start it, configure it
 * and show its activity.
 */
export { startAuthServer, DEFAULT_AUTH_SERVER_LIMITS } from './auth-server.js';
export type { AuthServer, AuthServerOptions, AuthServerLimits } from './auth-server.js';
export type { AuthServerCredentials } from './basic-credentials.js';
export type { FailureThrottleOptions } from './failure-throttle.js';
export { generateServerCredentials } from './server-secret.js';
export { authServerUrlWithCredentials, formatServerUrl } from './server-url.js';
export { RequestLog, DEFAULT_REQUEST_LOG_CAPACITY } from './request-log.js';
export type { RequestListener } from './request-log.js';
export type { RequestRecorder, TokenGrant, TokenSource } from './token-source.js';
