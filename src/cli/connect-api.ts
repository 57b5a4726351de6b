/**
 * How a command reaches the core: through the running daemon when there is one (it owns the
 * vault and the refresh tokens), else by opening the core itself for the command's duration.
 */
import { TokentrayError } from '../shared/tokentray-error.js';
import type { TokentrayApi } from '../shared/tokentray-api.js';
import { controlToken } from '../core/control-channel.js';
import { ControlClient } from '../core/control-client.js';
import { KeytarSecretStore } from '../core/keytar-secret-store.js';
import type { Logger } from '../core/logger.js';
import { openCore, type OpenedCore } from '../core/open-core.js';
import { dataFiles } from '../core/paths.js';
import { readLock } from '../core/process-lock.js';
import { readVaultKey } from '../core/vault.js';

export interface CommandContext {
  api: TokentrayApi;
  /** Set when the command runs the core itself (no daemon). */
  local: OpenedCore | null;
}

async function daemonClient(home: string, control: string): Promise<ControlClient> {
  const material = await readVaultKey(dataFiles(home).vault, new KeytarSecretStore());
  if (!material) throw new TokentrayError('DAEMON_UNREACHABLE', 'A tokentray daemon is running but has not created its vault yet.');
  return new ControlClient(control, controlToken(material.key));
}

export async function withApi<T>(home: string, logger: Logger, run: (context: CommandContext) => Promise<T>): Promise<T> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const lock = await readLock(dataFiles(home).lock);
    if (lock?.control) {
      try {
        process.kill(lock.pid, 0);
        return await run({ api: await daemonClient(home, lock.control), local: null });
      } catch (error) {
        if (error instanceof TokentrayError) throw error;
        // The daemon is gone (stale lock): fall through and run locally.
      }
    }
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
