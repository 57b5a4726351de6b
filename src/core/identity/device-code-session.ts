/**
 * One device-code sign-in (RFC 8628), cancellable.
 *
 * The user signs in on another device while tokentray polls the token endpoint; ending the
 * session (Cancel, Ctrl-C, the command going away, tokentray's timeout) aborts the signal,
 * which the adapter turns into the library's own cancel (msal-node's `cancel` flag).
 */
import type { PendingSignIn } from './interactive-sign-in.js';

export class DeviceCodeSession implements PendingSignIn {
  readonly #controller = new AbortController();
  #endedBy: 'cancelled' | 'timeout' | null = null;

  get endedBy(): 'cancelled' | 'timeout' | null {
    return this.#endedBy;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  end(reason: 'cancelled' | 'timeout'): Promise<void> {
    this.#endedBy ??= reason;
    this.#controller.abort();
    return Promise.resolve();
  }
}
