/**
 * The Basic credentials EmailEngine uses to call the auth server.
 *
 * The password is 192 random bits in base64url (`[A-Za-z0-9_-]`, 32 characters). The alphabet
 * matters: EmailEngine takes the credentials from the authServer URL and HTML-entity-encodes
 * them instead of percent-decoding (`&` arrives as `&#x26;`, `%40` stays `%40`), so only
 * characters that need no escaping at all in a URL survive the trip unchanged.
 */
import { randomBytes } from 'node:crypto';
import type { AuthServerCredentials } from './basic-credentials.js';

export const SERVER_USERNAME = 'emailengine';
export const SERVER_PASSWORD_BYTES = 24; // 192 bits: above the 128-bit floor, no base64 padding
/** Characters that reach EmailEngine's Authorization header unchanged (RFC 3986 "unreserved"). */
export const SAFE_CREDENTIAL = /^[A-Za-z0-9._~-]+$/;

export function generateServerCredentials(random: (size: number) => Buffer = randomBytes): AuthServerCredentials {
  return { username: SERVER_USERNAME, password: random(SERVER_PASSWORD_BYTES).toString('base64url') };
}

export function isSafeCredential(text: string): boolean {
  return SAFE_CREDENTIAL.test(text);
}
