/**
 * Slows down repeated wrong credentials from one client address, never the right ones.
 *
 * After `maxFailures` failures (each within `windowMs` of the previous one), further *wrong*
 * credentials from the address are answered 429 (not counted) for a delay that doubles with
 * every further failure, up to `maxDelayMs`. The request handler checks the credentials
 * before it asks the throttle, so a right secret is always served: every local process
 * shares 127.0.0.1 with EmailEngine, and a throttle consulted first let any of them lock
 * EmailEngine out with a few wrong requests (issue 10). A success does not forget the
 * address for the same reason: EmailEngine's successes must not reset a guesser sharing
 * its address. The 192-bit secret is the real protection; this keeps a misconfigured
 * EmailEngine loud (its 429 retries are few and fast) and its request log readable.
 * The map is bounded (`maxTrackedClients`, oldest forgotten first), so an address-hopping
 * caller costs memory no more than that.
 * Time comes in as a parameter: tests never sleep.
 */
export interface FailureThrottleOptions {
  maxFailures: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxTrackedClients: number;
}

export const DEFAULT_FAILURE_THROTTLE: Readonly<FailureThrottleOptions> = {
  maxFailures: 5, // a rotation not yet pasted into EmailEngine shows as 401 a few times first
  windowMs: 10 * 60_000, // a failure ten minutes after the last one starts a fresh count
  baseDelayMs: 1_000,
  maxDelayMs: 60_000, // short enough that a fixed EmailEngine is served within a minute
  maxTrackedClients: 1_024,
};

interface ClientFailures {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

export class FailureThrottle {
  readonly #options: FailureThrottleOptions;
  readonly #clients = new Map<string, ClientFailures>();

  constructor(options: Partial<FailureThrottleOptions> = {}) {
    this.#options = { ...DEFAULT_FAILURE_THROTTLE, ...options };
  }

  /** Seconds the client must wait (0: not throttled; check its credentials). */
  retryAfterSeconds(client: string, now: number): number {
    const entry = this.#clients.get(client);
    if (entry === undefined) return 0;
    if (now < entry.blockedUntil) return Math.max(1, Math.ceil((entry.blockedUntil - now) / 1000));
    if (now - entry.lastFailureAt > this.#options.windowMs) this.#clients.delete(client);
    return 0;
  }

  /** Counts one failure; returns the seconds the client is now blocked for (0: not blocked). */
  recordFailure(client: string, now: number): number {
    let entry = this.#clients.get(client);
    if (entry === undefined || now - entry.lastFailureAt > this.#options.windowMs) {
      if (entry === undefined && this.#clients.size >= this.#options.maxTrackedClients) {
        const oldest = this.#clients.keys().next();
        if (!oldest.done) this.#clients.delete(oldest.value);
      }
      entry = { failures: 0, lastFailureAt: now, blockedUntil: 0 };
      this.#clients.set(client, entry);
    }
    entry.failures += 1;
    entry.lastFailureAt = now;
    const excess = entry.failures - this.#options.maxFailures;
    if (excess < 0) return 0;
    const delay = Math.min(this.#options.baseDelayMs * 2 ** Math.min(excess, 30), this.#options.maxDelayMs);
    entry.blockedUntil = now + delay;
    return Math.max(1, Math.ceil(delay / 1000));
  }

  /** Addresses currently remembered (for tests and status). */
  get trackedClients(): number {
    return this.#clients.size;
  }
}
