/**
 * The /authentication request targets already served, each parsed once.
 *
 * EmailEngine asks for the same few URLs over and over (one per account and proto), so a
 * repeat costs one Map lookup instead of a parse. It also hands out the same strings every
 * time: the request log's ring then holds those few long-lived strings rather than a fresh
 * copy per request, which the garbage collector would otherwise carry (and promote) for as
 * long as the ring keeps them.
 *
 * Only a target whose request passed the credentials check and whose query was valid is
 * kept, so nobody without the secret can fill this. It is bounded (about three protos for
 * each of a few thousand accounts) and simply starts over when full. What it keeps is a pure
 * function of the target string: no account state, so removing an account needs no step here.
 */
import { parseAuthenticationQuery, type AuthenticationQuery } from './authentication-query.js';
import { recordedAccountId, toPrintableAscii } from './printable-text.js';
import { AUTHENTICATION_PATH } from './server-url.js';

/** Longest caller-chosen text kept as the account of a request record (valid ids are kept whole). */
export const MAX_RECORDED_ACCOUNT_CHARS = 80;
/** Longest proto kept in a request record (the valid ones are 3-4 characters). */
const MAX_RECORDED_PROTO_CHARS = 8;
export const MAX_KNOWN_TARGETS = 8_192;

export interface ParsedTarget {
  readonly query: AuthenticationQuery;
  /** The account and proto as request records show them: printable, cut to length. */
  readonly shownAccount: string;
  readonly shownProto: string;
}

/** A request with no account or proto (refusals before the query, /health). */
export const NO_TARGET: ParsedTarget = Object.freeze({
  query: Object.freeze({ problem: 'account_missing' as const, account: '', proto: '' }),
  shownAccount: '',
  shownProto: '',
});

const QUERY_START = AUTHENTICATION_PATH.length + 1;

export function parseTarget(target: string): ParsedTarget {
  const query = parseAuthenticationQuery(target, Math.min(target.length, QUERY_START));
  return {
    query,
    shownAccount: recordedAccountId(query.account, MAX_RECORDED_ACCOUNT_CHARS),
    shownProto: toPrintableAscii(query.proto, MAX_RECORDED_PROTO_CHARS),
  };
}

export class KnownTargets {
  readonly #targets = new Map<string, ParsedTarget>();
  readonly #capacity: number;

  constructor(capacity: number = MAX_KNOWN_TARGETS) {
    this.#capacity = capacity;
  }

  /** The parsed target: remembered, or parsed now (and not remembered: see `remember`). */
  parse(target: string): ParsedTarget {
    return this.#targets.get(target) ?? parseTarget(target);
  }

  /** Keeps a target whose request was authenticated and whose query is valid. */
  remember(target: string, parsed: ParsedTarget): void {
    if (parsed.query.problem !== null || this.#targets.has(target)) return;
    if (this.#targets.size >= this.#capacity) this.#targets.clear();
    this.#targets.set(target, parsed);
  }

  get size(): number {
    return this.#targets.size;
  }
}
