/**
 * Reads `account` and `proto` from the request target of `GET /authentication?…`.
 *
 * Hand-rolled rather than `new URL()`: this runs on every token request, and for
 * EmailEngine's `?account=sales&proto=imap` it costs two `indexOf` and two `slice`. The
 * semantics follow URLSearchParams (`&` separates, `+` is a space, keys are decoded too, so
 * `%61ccount` is `account`) except where a silent guess would be unsafe: a repeated `account`
 * or `proto`, or invalid percent-encoding in either, is refused rather than resolved.
 * Every other parameter is ignored (EmailEngine keeps extra parameters of the configured URL).
 *
 * A missing `proto` means `imap`: EmailEngine always sends it, but the documented minimal
 * request (and older EmailEngine versions, and a hand-typed curl) send only `account`, and
 * `imap` is the profile most accounts have.
 */
import type { Proto } from '../../shared/account-status.js';

export type QueryProblem = 'account_missing' | 'param_repeated' | 'proto_invalid' | 'encoding_invalid';

export type AuthenticationQuery =
  | { problem: null; account: string; proto: Proto }
  /** `account` and `proto` as far as they could be read, for the request log. */
  | { problem: QueryProblem; account: string; proto: string };

export const DEFAULT_PROTO: Proto = 'imap';

/** Decodes one key or value; null when its percent-encoding is not valid UTF-8. */
function decodePart(raw: string): string | null {
  const spaced = raw.includes('+') ? raw.replaceAll('+', ' ') : raw;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return null;
  }
}

/** The proto as one of the module's own string constants, not the request's copy of it. */
function knownProto(value: string): Proto | null {
  if (value === 'imap') return 'imap';
  if (value === 'smtp') return 'smtp';
  return value === 'api' ? 'api' : null;
}

const ACCOUNT_KEY = 'account=';
const PROTO_KEY = 'proto=';
const AMPERSAND = 0x26;
const PERCENT = 0x25;
const PLUS = 0x2b;
const FIRST_VISIBLE = 0x21;
const LAST_VISIBLE = 0x7e;

/**
 * EmailEngine's own query, `account=<id>&proto=<imap|smtp|api>` and nothing else, with an id
 * of visible ASCII that needs no decoding: read in one pass over its characters, with one
 * slice for the id. For such a query the answer is exactly `parseAuthenticationQuery`'s (a
 * property test holds the two together); anything else is null, for the general parser.
 * This is nearly every request: the general parser's searches and slices cost it about 2.5k
 * instructions (callgrind), this pass about 1k.
 */
export function readUsualQuery(target: string, queryStart: number): { problem: null; account: string; proto: Proto } | null {
  if (!target.startsWith(ACCOUNT_KEY, queryStart)) return null;
  const accountStart = queryStart + ACCOUNT_KEY.length;
  const end = target.length;
  let amp = accountStart;
  for (; amp < end; amp += 1) {
    const code = target.charCodeAt(amp);
    if (code === AMPERSAND) break;
    if (code < FIRST_VISIBLE || code > LAST_VISIBLE || code === PERCENT || code === PLUS) return null;
  }
  if (amp === accountStart || amp === end || !target.startsWith(PROTO_KEY, amp + 1)) return null;
  const protoStart = amp + 1 + PROTO_KEY.length;
  const proto = protoAt(target, protoStart, end - protoStart);
  return proto === null ? null : { problem: null, account: target.slice(accountStart, amp), proto };
}

/** The known proto spelled at `start`, running to the end of the target. */
function protoAt(target: string, start: number, length: number): Proto | null {
  if (length === 4) {
    if (target.startsWith('imap', start)) return 'imap';
    return target.startsWith('smtp', start) ? 'smtp' : null;
  }
  return length === 3 && target.startsWith('api', start) ? 'api' : null;
}

/**
 * @param target the request target, e.g. `/authentication?account=sales&proto=imap`
 * @param queryStart index of the first character after `?` (target.length when there is none)
 */
export function parseAuthenticationQuery(target: string, queryStart: number): AuthenticationQuery {
  let account: string | undefined;
  let proto: string | undefined;
  let problem: QueryProblem | null = null;
  const end = target.length;
  let start = queryStart;
  while (start < end) {
    let amp = target.indexOf('&', start);
    if (amp === -1) amp = end;
    if (amp > start) {
      let eq = target.indexOf('=', start);
      if (eq === -1 || eq > amp) eq = amp;
      const rawKey = target.slice(start, eq);
      // Only an encoded key needs decoding to know whether it is one of ours.
      const key = rawKey.includes('%') || rawKey.includes('+') ? decodePart(rawKey) : rawKey;
      if (key === 'account' || key === 'proto') {
        const value = decodePart(eq < amp ? target.slice(eq + 1, amp) : '');
        if (value === null) problem ??= 'encoding_invalid';
        else if (key === 'account') {
          if (account !== undefined) problem ??= 'param_repeated';
          account = value;
        } else {
          if (proto !== undefined) problem ??= 'param_repeated';
          proto = value;
        }
      }
    }
    start = amp + 1;
  }
  if (problem === null) {
    if (account === undefined || account === '') problem = 'account_missing';
    else if (proto === undefined) return { problem: null, account, proto: DEFAULT_PROTO };
    else {
      const known = knownProto(proto);
      if (known !== null) return { problem: null, account, proto: known };
      problem = 'proto_invalid';
    }
  }
  return { problem, account: account ?? '', proto: proto ?? '' };
}
