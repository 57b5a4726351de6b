/**
 * One interactive sign-in (authorization code + PKCE in the system browser), cancellable.
 *
 * msal-node's acquireTokenInteractive has no abort and no timeout: if the user closes the
 * browser the promise never settles and the loopback listener stays open. Posting
 * `error=access_denied&state=<state>` to the redirect URI (as the identity provider would)
 * makes MSAL reject and close its listener, so that is how Cancel and the timeout end it.
 */
import { request } from 'node:http';

export interface PendingSignIn {
  /** Ends the sign-in; resolves once the listener has been told. */
  end(reason: 'cancelled' | 'timeout'): Promise<void>;
  readonly endedBy: 'cancelled' | 'timeout' | null;
}

interface Callback {
  redirectUri: string;
  state: string;
}

export class SignInSession implements PendingSignIn {
  #callback: Callback | null = null;
  #endedBy: 'cancelled' | 'timeout' | null = null;
  #endRequested: Promise<void> | null = null;

  get endedBy(): 'cancelled' | 'timeout' | null {
    return this.#endedBy;
  }

  /** Records where MSAL listens, taken from the authorize URL it built. */
  noteAuthorizeUrl(url: string): void {
    const parsed = new URL(url);
    const redirectUri = parsed.searchParams.get('redirect_uri');
    const state = parsed.searchParams.get('state');
    if (redirectUri && state) this.#callback = { redirectUri, state };
    if (this.#endedBy) void this.end(this.#endedBy); // cancelled before the browser even opened
  }

  end(reason: 'cancelled' | 'timeout'): Promise<void> {
    this.#endedBy ??= reason;
    const callback = this.#callback;
    if (!callback) return Promise.resolve();
    this.#endRequested ??= postError(callback, reason);
    return this.#endRequested;
  }
}

function postError(callback: Callback, reason: string): Promise<void> {
  const body = new URLSearchParams({
    error: 'access_denied',
    error_description: `tokentray_${reason}`,
    state: callback.state,
  }).toString();
  const target = new URL(callback.redirectUri);
  // MSAL's listener binds 127.0.0.1 while the redirect URI says localhost: go to the address.
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        path: target.pathname || '/',
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
        timeout: 5_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
      },
    );
    // If the listener is already gone the sign-in has ended anyway.
    req.on('error', () => resolve());
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}
