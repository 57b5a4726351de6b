/**
 * The recent requests EmailEngine made, in memory, for `tokentray status` and the Activity view.
 *
 * A fixed ring (no growth, O(1) per record: it sits on the token-serving path) plus the
 * latest record per account, so an account's last request survives a burst of traffic for
 * other accounts. Records hold no token and no credential; account ids are already made
 * printable and short by the auth server.
 */
import type { RequestRecord } from '../../shared/account-status.js';
import type { RequestRecorder } from './token-source.js';

export const DEFAULT_REQUEST_LOG_CAPACITY = 500;
/** Accounts whose latest request is remembered; ids are caller-chosen, so this is bounded too. */
export const MAX_ACCOUNTS_REMEMBERED = 4_096;

export type RequestListener = (entry: RequestRecord) => void;

export class RequestLog implements RequestRecorder {
  readonly #ring: (RequestRecord | undefined)[];
  #next = 0;
  /** Every record ever made (the cursor of `since`). */
  #total = 0;
  readonly #latest = new Map<string, RequestRecord>();
  readonly #listeners = new Set<RequestListener>();

  constructor(capacity: number = DEFAULT_REQUEST_LOG_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`RequestLog capacity must be a positive integer, got ${capacity}`);
    this.#ring = new Array<RequestRecord | undefined>(capacity).fill(undefined);
  }

  record(entry: RequestRecord): void {
    this.#ring[this.#next] = entry;
    this.#next = this.#next + 1 === this.#ring.length ? 0 : this.#next + 1;
    this.#total += 1;
    if (entry.account !== '') {
      // Plain set keeps the first-insertion order, so eviction may drop an active account;
      // its next request puts it back. Cheaper than delete+set on every request.
      if (this.#latest.size >= MAX_ACCOUNTS_REMEMBERED && !this.#latest.has(entry.account)) {
        const oldest = this.#latest.keys().next();
        if (!oldest.done) this.#latest.delete(oldest.value);
      }
      this.#latest.set(entry.account, entry);
    }
    // A throwing listener reaches the caller (the auth server logs it); the rest still run.
    if (this.#listeners.size === 0) return;
    let failure: unknown = null;
    for (const listener of this.#listeners) {
      try {
        listener(entry);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== null) throw failure;
  }

  /** Newest first. */
  recent(limit: number = this.#ring.length): RequestRecord[] {
    const out: RequestRecord[] = [];
    const size = this.#ring.length;
    const wanted = Math.min(Math.max(0, Math.floor(limit)), size);
    for (let i = 1; i <= size && out.length < wanted; i += 1) {
      const entry = this.#ring[(this.#next - i + size) % size];
      if (entry === undefined) break;
      out.push(entry);
    }
    return out;
  }

  /**
   * The records made after `after` (a cursor from an earlier call; null: the newest `limit`),
   * oldest first, at most `limit`; `missed` counts those already overwritten in the ring.
   */
  since(after: number | null, limit: number = this.#ring.length): { records: RequestRecord[]; cursor: number; missed: number } {
    const wanted = Math.min(Math.max(0, Math.floor(limit)), this.#ring.length);
    const start = after === null || !Number.isInteger(after) || after < 0 || after > this.#total ? Math.max(0, this.#total - wanted) : after;
    const kept = Math.min(this.#total, this.#ring.length);
    const missed = Math.max(0, this.#total - kept - start);
    const available = this.#total - start - missed;
    // The newest `wanted` of what is new: a follower that fell far behind catches up, not floods.
    const records = this.recent(Math.min(available, wanted)).reverse();
    return { records, cursor: this.#total, missed: missed + (available - records.length) };
  }

  latestFor(account: string): RequestRecord | null {
    return this.#latest.get(account) ?? null;
  }

  /** Called after each record; returns the unsubscribe function. */
  onRecord(listener: RequestListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}
