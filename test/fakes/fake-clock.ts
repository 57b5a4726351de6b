/**
 * A clock the test moves by hand: pass `clock.now` wherever the code takes `now`.
 *
 * Tests never sleep to wait for expiry; they advance this instead.
 */
export class FakeClock {
  #ms: number;

  constructor(startMs = Date.UTC(2025, 0, 6, 9, 0, 0)) {
    this.#ms = startMs;
  }

  /** Bound, so it can be handed over as a plain function. */
  readonly now = (): number => this.#ms;

  advance(ms: number): number {
    this.#ms += ms;
    return this.#ms;
  }

  set(ms: number): void {
    this.#ms = ms;
  }
}
