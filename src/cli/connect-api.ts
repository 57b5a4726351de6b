/**
 * How a command reaches the core: through the running daemon when there is one (it owns the
 * vault and the refresh tokens), else by opening the core itself for the command's duration.
 *
 * The core (MSAL, the auth server, settings) is imported only when no daemon answers: a
 * command served by the daemon loads just the control client.
 */
import { TokentrayError } from '../shared/tokentray-error.js';
import type { Logger } from '../core/logging/logger.js';
import type { OpenedCore } from '../core/open-core.js';
import { connectToDaemon, readDaemonVaultKey, type EarlyVaultKey } from '../core/control/remote-core.js';
import type { CommandContext } from './command-env.js';

/** `vaultKey`: the keychain read begun for this command (readVaultKeyEarly), if one was. */
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

/**
 * Begins reading the vault key while the command's modules load.
 *
 * For the commands a running daemon answers in milliseconds, the keychain read (keytar, and
 * on Linux a D-Bus exchange with the Secret Service in a worker thread) is their longest
 * wait; begun early it overlaps loading the command, the lock check and the first hello.
 * Only this user's own keychain is read, nothing is sent anywhere: the daemon still has to
 * prove it holds the key (remote-core.ts). Skipped when no daemon runs (the core reads it).
 */
export function readVaultKeyEarly(home: string): Promise<EarlyVaultKey> {
  const read = readDaemonVaultKey(home);
  read.catch(() => undefined); // reported by the command that awaits it, if one does
  return read;
}
