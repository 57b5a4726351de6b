/**
 * The 200 body EmailEngine accepts: exactly `{"user","accessToken"}`, nothing else.
 *
 * EmailEngine's schema: `user` at most 256 characters, `accessToken` 1-16384 characters, and
 * no `pass` beside a token. A grant outside that is a bug upstream; answering it would make
 * EmailEngine fail obscurely (and SMTP drop the message), so it is refused as INTERNAL.
 *
 * Serialized bodies are kept per grant object (weakly): the token source hands out the same
 * object while a token is cached, so the hot path neither re-serializes nor re-encodes a
 * multi-kilobyte token. The copy lives exactly as long as the grant the source still holds,
 * in memory only, and is used only while the grant's fields are still the same strings.
 */
import type { TokenGrant } from './token-source.js';

export const MAX_USER_CHARS = 256;
export const MAX_ACCESS_TOKEN_CHARS = 16_384;

export interface GrantBody {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string | number>>;
}

interface CachedBody extends GrantBody {
  readonly user: string;
  readonly accessToken: string;
}

function isServable(grant: TokenGrant): boolean {
  return (
    typeof grant === 'object' &&
    grant !== null &&
    typeof grant.user === 'string' &&
    grant.user.length <= MAX_USER_CHARS &&
    typeof grant.accessToken === 'string' &&
    grant.accessToken.length > 0 &&
    grant.accessToken.length <= MAX_ACCESS_TOKEN_CHARS
  );
}

export class GrantBodies {
  readonly #cache = new WeakMap<TokenGrant, CachedBody>();

  /** The response for a grant, or null when the grant breaks EmailEngine's schema. */
  bodyFor(grant: TokenGrant): GrantBody | null {
    const cached = this.#cache.get(grant);
    // Identical strings compare by pointer: the check is free unless the grant was mutated.
    if (cached !== undefined && cached.user === grant.user && cached.accessToken === grant.accessToken) return cached;
    if (!isServable(grant)) return null;
    const body = Buffer.from(JSON.stringify({ user: grant.user, accessToken: grant.accessToken }), 'utf8');
    const prepared: CachedBody = Object.freeze({
      user: grant.user,
      accessToken: grant.accessToken,
      body,
      headers: Object.freeze({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': body.length }),
    });
    this.#cache.set(grant, prepared);
    return prepared;
  }
}
