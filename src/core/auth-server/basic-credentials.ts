/**
 * Checks `Authorization: Basic …` against the current server credentials in constant time.
 *
 * The expected header is precomputed once per credentials change (rotation takes effect on
 * the next request because the credentials are read per request and compared by value).
 * Each received header is copied into a fixed-size block (2-byte length, the bytes, zero
 * padding) and compared with the expected header's block by `timingSafeEqual`: the
 * comparison always covers the whole block, so neither the secret's length nor the length of
 * a matching prefix shows in the timing. (A SHA-256 digest of each header gives the same
 * fixed length at about four times the cost, ~0.7 µs more on every token request.)
 * Header values are latin1 strings (Node's parser decodes them so), hence lossless here.
 *
 * A connection that presented the right header is marked with the credentials' generation
 * (a field of its own per-connection object, see connections.ts), and its next requests are
 * checked with a plain string compare against the expected header: EmailEngine keeps its
 * connections alive, so this is nearly every request, and skips a copy and a native call.
 * The plain compare may leak, through its timing, how much of a header matches; only a
 * connection whose peer already sent the whole right header ever takes it, so it leaks nothing
 * that peer does not know. A connection that never got past the check (every guesser's)
 * takes the constant-time path each time. New credentials start a new generation, which
 * forgets every connection proven before.
 *
 * The credentials are compared in their base64 form, not decoded: EmailEngine
 * HTML-entity-encodes URL credentials instead of percent-decoding them (`&` arrives as
 * `&#x26;`), which is why generated secrets use only `[A-Za-z0-9._~-]`, whose base64 form is
 * canonical and stable.
 */
import { timingSafeEqual } from 'node:crypto';

export interface AuthServerCredentials {
  username: string;
  password: string;
}

export type CredentialsVerdict = 'ok' | 'missing' | 'wrong';

/** What the checker keeps on a connection: the generation of the credentials it proved (0: none). */
export interface ProvableConnection {
  provenGeneration: number;
}

/** The comparison, injectable so a test can see that it is the constant-time one. */
export type BlockEquals = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => boolean;

const SCHEME = 'Basic ';
const LENGTH_PREFIX_BYTES = 2;
/** Smallest block; longer credentials get a larger one, rounded up to 16 bytes. */
export const MIN_COMPARE_BLOCK_BYTES = 80; // the generated secret's header: 66 bytes + length

export function basicAuthorizationValue(credentials: AuthServerCredentials): string {
  return `${SCHEME}${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

function blockSizeFor(expected: string): number {
  return Math.max(MIN_COMPARE_BLOCK_BYTES, Math.ceil((expected.length + LENGTH_PREFIX_BYTES) / 16) * 16);
}

/** Writes length + latin1 bytes + zero padding into `block`; false when the text cannot fit. */
function fillBlock(block: Buffer, text: string): boolean {
  if (text.length > block.length - LENGTH_PREFIX_BYTES) return false;
  block.writeUInt16BE(text.length, 0);
  const written = block.write(text, LENGTH_PREFIX_BYTES, 'latin1');
  block.fill(0, LENGTH_PREFIX_BYTES + written);
  return true;
}

export class BasicCredentialsChecker {
  readonly #read: () => AuthServerCredentials;
  readonly #equals: BlockEquals;
  #username: string | null = null;
  #password: string | null = null;
  /** The header the current credentials make, as EmailEngine sends it. */
  #expectedHeader = '';
  #expected: Buffer = Buffer.alloc(MIN_COMPARE_BLOCK_BYTES);
  #received: Buffer = Buffer.alloc(MIN_COMPARE_BLOCK_BYTES);
  /** Counts credential changes; a connection proven under an older one must prove itself again. */
  #generation = 0;
  readonly #onProven: ((connection: ProvableConnection) => void) | undefined;

  /** `onProven`: told when a connection first presents the right header (see Connections). */
  constructor(read: () => AuthServerCredentials, equals: BlockEquals = timingSafeEqual, onProven?: (connection: ProvableConnection) => void) {
    this.#read = read;
    this.#equals = equals;
    this.#onProven = onProven;
  }

  /** `connection`: the request's connection, so a kept-alive connection's next request is cheap. */
  check(authorization: string | undefined, connection?: ProvableConnection): CredentialsVerdict {
    if (authorization === undefined || authorization === '') return 'missing';
    const expected = this.#expectedBlock();
    if (connection !== undefined && connection.provenGeneration === this.#generation && authorization === this.#expectedHeader) return 'ok';
    // The scheme is case-insensitive (RFC 7617); EmailEngine sends `Basic`.
    const received = authorization.startsWith(SCHEME) ? authorization : normalizeScheme(authorization);
    // Longer than any valid header: its length alone says so, and length is the caller's own.
    if (!fillBlock(this.#received, received)) return 'wrong';
    if (!this.#equals(this.#received, expected)) return 'wrong';
    if (connection !== undefined && connection.provenGeneration !== this.#generation) {
      connection.provenGeneration = this.#generation;
      this.#onProven?.(connection);
    }
    return 'ok';
  }

  #expectedBlock(): Buffer {
    const current = this.#read();
    // Comparing our own configured secret with its previous value leaks nothing to a caller.
    if (current.username !== this.#username || current.password !== this.#password) {
      const value = basicAuthorizationValue(current);
      const size = blockSizeFor(value);
      this.#expected = Buffer.alloc(size);
      this.#received = Buffer.alloc(size);
      fillBlock(this.#expected, value);
      this.#expectedHeader = value;
      this.#username = current.username;
      this.#password = current.password;
      this.#generation += 1;
    }
    return this.#expected;
  }
}

function normalizeScheme(authorization: string): string {
  const trimmed = authorization.trim();
  const space = trimmed.indexOf(' ');
  if (space === -1 || trimmed.slice(0, space).toLowerCase() !== 'basic') return trimmed; // another scheme: will not match
  return `${SCHEME}${trimmed.slice(space + 1).trim()}`;
}
