/**
 * Checks that a bearer token is one this provider issued: signature, issuer, expiry, audience.
 *
 * This is what a test SMTP/IMAP server calls in its XOAUTH2 handler, the way Exchange Online
 * would validate the token.
 */
import { jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';

export interface VerifyAccessTokenOptions {
  /** The resource the token must be for, e.g. `https://outlook.office.com`. */
  audience?: string;
  currentDate?: Date;
}

export type AccessTokenVerifier = (token: string, options?: VerifyAccessTokenOptions) => Promise<JWTPayload>;

export function createAccessTokenVerifier(publicKey: CryptoKey, issuer: string): AccessTokenVerifier {
  return async (token, options = {}) => {
    const { payload } = await jwtVerify(token, publicKey, {
      issuer,
      algorithms: ['RS256'],
      ...(options.audience ? { audience: options.audience } : {}),
      ...(options.currentDate ? { currentDate: options.currentDate } : {}),
    });
    // An id_token is signed by the same key: it is not an access token.
    if (typeof payload.scp !== 'string') throw new Error('[identity-provider] not an access token (no scp claim)');
    return payload;
  };
}
