/** `tokentray vault reset --yes`: start over when the vault cannot be opened. */
import { EXIT_OK } from '../../shared/error-codes.js';
import { TokentrayError } from '../../shared/tokentray-error.js';
import { KeytarSecretStore } from '../../core/storage/keytar-secret-store.js';
import { dataFiles } from '../../core/storage/paths.js';
import { readLock } from '../../core/storage/process-lock.js';
import { Vault } from '../../core/storage/vault.js';
import { usageError, type CommandEnv } from '../command-env.js';

export async function vaultResetCommand(env: CommandEnv, confirmed: boolean): Promise<number> {
  if (!confirmed) throw usageError('vault reset forgets every connected account.', 'Run `tokentray vault reset --yes` to confirm.');
  const lock = await readLock(dataFiles(env.home).lock);
  if (lock?.control) throw new TokentrayError('ALREADY_RUNNING', `tokentray is running (pid ${lock.pid}); quit it before resetting the vault.`);
  const keptAs = await Vault.reset(dataFiles(env.home).vault, new KeytarSecretStore());
  env.output.out(keptAs ? `The old vault was moved to ${keptAs}. Connect your accounts again with \`tokentray account add <id>\`.` : 'There was no vault to reset.');
  return EXIT_OK;
}
