/**
 * An /authentication request's target, read once: the query, and its account and proto as
 * the request log shows them (printable, cut to length). The handler passes this one value
 * down to whatever answers and records the request.
 */
import { parseAuthenticationQuery, readUsualQuery, type AuthenticationQuery } from './authentication-query.js';
import { recordedAccountId, toPrintableAscii } from './printable-text.js';
import { AUTHENTICATION_PATH } from './server-url.js';

/** Longest caller-chosen text kept as the account of a request record (valid ids are kept whole). */
export const MAX_RECORDED_ACCOUNT_CHARS = 80;
/** Longest proto kept in a request record (the valid ones are 3-4 characters). */
const MAX_RECORDED_PROTO_CHARS = 8;

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
  const queryStart = Math.min(target.length, QUERY_START);
  const usual = readUsualQuery(target, queryStart);
  if (usual !== null) {
    // Already visible ASCII, and the proto one of ours: shown as it is, unless too long.
    const { account } = usual;
    const shownAccount = account.length <= MAX_RECORDED_ACCOUNT_CHARS ? account : recordedAccountId(account, MAX_RECORDED_ACCOUNT_CHARS);
    return { query: usual, shownAccount, shownProto: usual.proto };
  }
  const query = parseAuthenticationQuery(target, queryStart);
  return {
    query,
    shownAccount: recordedAccountId(query.account, MAX_RECORDED_ACCOUNT_CHARS),
    shownProto: toPrintableAscii(query.proto, MAX_RECORDED_PROTO_CHARS),
  };
}

/** Targets remembered; EmailEngine asks for at most one per account and proto. */
export const MAX_REMEMBERED_TARGETS = 4_096;

/**
 * The targets EmailEngine asked for, parsed once each.
 *
 * EmailEngine sends the same few targets over and over. Answering from a remembered parse
 * also hands the token source and the request log the same account string every time, whose
 * hash V8 then keeps: each lookup by it is a pointer compare instead of hashing and comparing
 * a fresh copy. Only targets that came with the right credentials and a valid query are
 * remembered, so a caller without the secret cannot fill it; past the limit it starts over.
 */
export class ParsedTargets {
  readonly #parsed = new Map<string, ParsedTarget>();

  /** The remembered parse of `target`, if any. */
  known(target: string): ParsedTarget | undefined {
    return this.#parsed.get(target);
  }

  /** `parsed`, not yet remembered, came with the right credentials and its query is valid. */
  remember(target: string, parsed: ParsedTarget): void {
    if (this.#parsed.size >= MAX_REMEMBERED_TARGETS) this.#parsed.clear();
    this.#parsed.set(target, parsed);
  }
}
