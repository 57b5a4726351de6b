/**
 * How a command reaches the core: through the running daemon when there is one (it owns the
 * vault and the refresh tokens), else by opening the core itself for the command's duration.
 *
 * The core (MSAL, the auth server, settings) is imported only when no daemon answers: a
 * command served by the daemon loads just the control client.
 */
import { TokentrayError } from '../shared/tokentray-error.js';
import type { TokentrayApi } from '../shared/tokentray-api.js';
import type { Logger } from '../core/logging/logger.js';
import type { OpenedCore } from '../core/open-core.js';
import { connectToDaemon, type EarlyVaultKey } from '../core/control/remote-core.js';

export interface CommandContext {
  api: TokentrayApi;
  /** Set when the command runs the core itself (no daemon). */
  local: OpenedCore | null;
}

/** `vaultKey`: the keychain read main.ts began for this command (CommandEnv), if it did. */
export async function withApi<T>(home: string, logger: Logger, run: (context: CommandContext) => Promise<T>, vaultKey?: Promise<EarlyVaultKey>): Promise<T> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const daemon = await connectToDaemon(home, undefined, vaultKey);
    if (daemon) return await run({ api: daemon, local: null });
    const { openCore } = await import('../core/open-core.js');
    let core: OpenedCore;
    try {
      core = await openCore({ home, role: 'command', logger });
    } catch (error) {
      if (error instanceof TokentrayError && error.code === 'ALREADY_RUNNING') continue; // a daemon started meanwhile
      throw error;
    }
    try {
      return await run({ api: core, local: core });
    } finally {
      await core.close();
    }
  }
  throw new TokentrayError('DAEMON_UNREACHABLE', 'Could not reach the running tokentray.');
}
