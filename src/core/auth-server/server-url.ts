/**
 * The URLs of the auth server: the one shown everywhere (no secret) and the one pasted into
 * EmailEngine's authServer setting (with the Basic credentials in it).
 */
import { isIP } from 'node:net';
import { TokentrayError } from '../../shared/tokentray-error.js';
import type { AuthServerCredentials } from './basic-credentials.js';
import { isSafeCredential } from './server-secret.js';

export const AUTHENTICATION_PATH = '/authentication';
export const HEALTH_PATH = '/health';

/**
 * `http://127.0.0.1:PORT/authentication` for a loopback or wildcard bind, else the bound address.
 *
 * 'localhost' becomes 127.0.0.1: EmailEngine then needs no name lookup, and Node's resolver
 * may otherwise pick ::1 first.
 */
export function formatServerUrl(bindHost: string, port: number): string {
  let host = bindHost;
  if (bindHost === 'localhost' || bindHost === '0.0.0.0') host = '127.0.0.1';
  else if (bindHost === '::' || bindHost === '0:0:0:0:0:0:0:0') host = '[::1]';
  else if (isIP(bindHost) === 6) host = `[${bindHost}]`;
  return `http://${host}:${port}${AUTHENTICATION_PATH}`;
}

/** The URL with `user:password@` for EmailEngine; refuses credentials EmailEngine would mangle. */
export function authServerUrlWithCredentials(url: string, credentials: AuthServerCredentials): string {
  if (!isSafeCredential(credentials.username) || !isSafeCredential(credentials.password)) {
    throw new TokentrayError('CONFIG_INVALID', 'The auth-server credentials contain characters EmailEngine cannot pass on.', {
      hint: 'Use only letters, digits, dot, dash, underscore and tilde; `tokentray` generates such a secret when it rotates it.',
    });
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new TokentrayError('INTERNAL', 'The auth-server URL is not a valid URL.', { cause: error });
  }
  parsed.username = credentials.username;
  parsed.password = credentials.password;
  return parsed.href;
}
