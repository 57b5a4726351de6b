/**
 * The core as the shells see it: the TokentrayApi plus a lifecycle.
 *
 * (Interface first; the implementation is assembled in open-core.ts.)
 */
import type { StatusReport } from '../shared/account-status.js';
import type { TokentrayApi } from '../shared/tokentray-api.js';

export interface TokentrayCore extends TokentrayApi {
  /** Starts the refresher and the auth server (the daemon role: tray app or `tokentray serve`). */
  start(): Promise<void>;
  /** Stops timers, closes listeners, flushes the vault. Idempotent. */
  close(): Promise<void>;
  /** Called (debounced) whenever anything in the status report changed. Returns an unsubscribe. */
  onChange(listener: (report: StatusReport) => void): () => void;
}
