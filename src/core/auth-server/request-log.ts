/**
 * The recent requests EmailEngine made, in memory, for `tokentray status` and the Activity view.
 *
 * It sits on the token-serving path, so recording allocates nothing: a fixed ring of two
 * flat arrays, one typed array for a slot's three numbers and one plain array for its four
 * strings (a plain array only stores a reference), so a record touches two neighbouring
 * places in memory rather than seven; plus one reused record per account for its latest
 * request, so an account's last request survives a burst of traffic for other accounts.
 * Records are built as objects only when read. A record per request as an object cost more
 * than the rest of the request handling together: at 25k requests a second each one outlived
 * a scavenge in the ring and was promoted to the old generation.
 *
 * Records hold no token and no credential; account ids are already made printable and short
 * by the auth server.
 */
import type { RequestRecord } from '../../shared/account-status.js';
import type { RequestRecorder } from './token-source.js';

export const DEFAULT_REQUEST_LOG_CAPACITY = 500;
/** Accounts whose latest request is remembered; ids are caller-chosen, so this is bounded too. */
export const MAX_ACCOUNTS_REMEMBERED = 4_096;

/** Told after each record, with the cursor `since` would return now (no record: nothing to allocate). */
export type RequestListener = (cursor: number) => void;

function copyOf(record: Readonly<RequestRecord>): RequestRecord {
  return { at: record.at, account: record.account, proto: record.proto, outcome: record.outcome, status: record.status, latencyMs: record.latencyMs, client: record.client };
}

/** A slot's numbers: at, latencyMs, status. */
const NUMBERS = 3;
/** A slot's strings: account, proto, outcome, client. */
const STRINGS = 4;

export class RequestLog implements RequestRecorder {
  readonly #capacity: number;
  readonly #numbers: Float64Array;
  readonly #strings: string[];
  #next = 0;
  /** Every record ever made (the cursor of `since`). */
  #total = 0;
  readonly #latest = new Map<string, RequestRecord>();
  /** Replaced, never changed, when a listener comes or goes: a record may be telling them. */
  #listeners: readonly RequestListener[] = [];

  constructor(capacity: number = DEFAULT_REQUEST_LOG_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`RequestLog capacity must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
    this.#numbers = new Float64Array(capacity * NUMBERS);
    this.#strings = new Array<string>(capacity * STRINGS).fill('');
  }

  /** Copies the fields of `entry` (the caller may reuse the object for its next request). */
  record(entry: Readonly<RequestRecord>): void {
    const slot = this.#next;
    const numbers = this.#numbers;
    const n = slot * NUMBERS;
    numbers[n] = entry.at;
    numbers[n + 1] = entry.latencyMs;
    numbers[n + 2] = entry.status;
    const strings = this.#strings;
    const s = slot * STRINGS;
    // The account's string as already kept for its latest request: the ring then holds one
    // long-lived string per account, not each request's own copy for the garbage collector
    // to carry (and promote) for as long as the ring keeps it.
    strings[s] = entry.account === '' ? '' : this.#rememberLatest(entry);
    strings[s + 1] = entry.proto;
    strings[s + 2] = entry.outcome;
    strings[s + 3] = entry.client;
    this.#next = slot + 1 === this.#capacity ? 0 : slot + 1;
    this.#total += 1;
    // A throwing listener reaches the caller (the auth server logs it); the rest still run.
    const listeners = this.#listeners;
    if (listeners.length === 0) return;
    let failure: unknown = null;
    for (const listener of listeners) {
      try {
        listener(this.#total);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== null) throw failure;
  }

  /** Returns the account string kept with the latest record. */
  #rememberLatest(entry: Readonly<RequestRecord>): string {
    const known = this.#latest.get(entry.account);
    if (known !== undefined) {
      known.at = entry.at;
      known.proto = entry.proto;
      known.outcome = entry.outcome;
      known.status = entry.status;
      known.latencyMs = entry.latencyMs;
      known.client = entry.client;
      return known.account;
    }
    // Plain set keeps the first-insertion order, so eviction may drop an active account;
    // its next request puts it back. Cheaper than delete+set on every request.
    if (this.#latest.size >= MAX_ACCOUNTS_REMEMBERED) {
      const oldest = this.#latest.keys().next();
      if (!oldest.done) this.#latest.delete(oldest.value);
    }
    this.#latest.set(entry.account, copyOf(entry));
    return entry.account;
  }

  #read(slot: number): RequestRecord {
    const n = slot * NUMBERS;
    const s = slot * STRINGS;
    return {
      at: this.#numbers[n] as number,
      account: this.#strings[s] as string,
      proto: this.#strings[s + 1] as string,
      outcome: this.#strings[s + 2] as string,
      status: this.#numbers[n + 2] as number,
      latencyMs: this.#numbers[n + 1] as number,
      client: this.#strings[s + 3] as string,
    };
  }

  /** Newest first. */
  recent(limit: number = this.#capacity): RequestRecord[] {
    const kept = Math.min(this.#total, this.#capacity);
    const wanted = Math.min(Math.max(0, Math.floor(limit)), kept);
    const out: RequestRecord[] = [];
    for (let i = 1; i <= wanted; i += 1) out.push(this.#read((this.#next - i + this.#capacity) % this.#capacity));
    return out;
  }

  /**
   * The records made after `after` (a cursor from an earlier call; null: the newest `limit`),
   * oldest first, at most `limit`; `missed` counts those already overwritten in the ring.
   */
  since(after: number | null, limit: number = this.#capacity): { records: RequestRecord[]; cursor: number; missed: number } {
    const wanted = Math.min(Math.max(0, Math.floor(limit)), this.#capacity);
    const start = after === null || !Number.isInteger(after) || after < 0 || after > this.#total ? Math.max(0, this.#total - wanted) : after;
    const kept = Math.min(this.#total, this.#capacity);
    const missed = Math.max(0, this.#total - kept - start);
    const available = this.#total - start - missed;
    // The newest `wanted` of what is new: a follower that fell far behind catches up, not floods.
    const records = this.recent(Math.min(available, wanted)).reverse();
    return { records, cursor: this.#total, missed: missed + (available - records.length) };
  }

  latestFor(account: string): RequestRecord | null {
    const known = this.#latest.get(account);
    return known === undefined ? null : copyOf(known);
  }

  /** Called after each record; returns the unsubscribe function. */
  onRecord(listener: RequestListener): () => void {
    if (!this.#listeners.includes(listener)) this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((known) => known !== listener);
    };
  }
}
