/**
 * One interactive sign-in (authorization code + PKCE in the system browser), cancellable.
 *
 * The sign-in's loopback listener (loopback-listener.ts) takes this session's AbortSignal:
 * Cancel and the timeout abort it, and the listener records when the one-time start link was
 * opened twice. `endedBy` tells the error translation which of these ended the sign-in.
 */
import { TokentrayError } from '../../shared/tokentray-error.js';
import { ListenerAbortError, type ListenerAbortReason } from './loopback-listener.js';

export type SignInEnd = Exclude<ListenerAbortReason, 'closed'>;

export interface PendingSignIn {
  /** Ends the sign-in; the listener stops at once. */
  end(reason: 'cancelled' | 'timeout'): Promise<void>;
  readonly endedBy: SignInEnd | null;
}

export class SignInSession implements PendingSignIn {
  readonly #controller = new AbortController();
  #endedBy: SignInEnd | null = null;

  get endedBy(): SignInEnd | null {
    return this.#endedBy;
  }

  /** For the listener: aborted with the SignInEnd as its reason. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  end(reason: SignInEnd): Promise<void> {
    if (this.#endedBy === null) {
      this.#endedBy = reason;
      this.#controller.abort(reason);
    }
    return Promise.resolve();
  }
}

/**
 * The error for a sign-in that tokentray or its listener ended (Cancel, timeout, a start link
 * opened twice), whichever provider it was for; null when it ended some other way.
 */
export function signInEndError(error: unknown, ended: SignInEnd | null): TokentrayError | null {
  const end = error instanceof ListenerAbortError && error.reason !== 'closed' ? error.reason : ended;
  switch (end) {
    case 'cancelled':
      return new TokentrayError('SIGN_IN_CANCELLED', 'The sign-in was cancelled.', { cause: error });
    case 'timeout':
      return new TokentrayError('SIGN_IN_TIMEOUT', 'The sign-in timed out.', { cause: error });
    case 'link-reused':
      return new TokentrayError('SIGN_IN_LINK_REUSED', 'Someone else opened this sign-in link, so the sign-in was stopped. Nothing was saved.', { cause: error });
    case null:
      return null;
  }
}
