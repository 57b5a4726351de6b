/**
 * Doctor: the vault opens with the key in the keychain (read only: nothing is written).
 */
import type { DiagnosticCheck } from '../../shared/diagnostics.js';
import type { SecretStore } from '../storage/secret-store.js';
import { Vault } from '../storage/vault.js';
import { failedWith, passed, skipped } from './check-result.js';

const HEAD = { id: 'vault', title: 'Vault' } as const;

export async function checkVault(path: string, secrets: SecretStore, keychainWorks: boolean): Promise<DiagnosticCheck> {
  if (!keychainWorks) return skipped(HEAD, 'not checked: its key lives in the keychain, which failed above');
  try {
    const vault = await Vault.open(path, secrets);
    if (!vault.keyMaterial) return passed(HEAD, 'none yet (it is created with the first account)');
    const count = Object.keys(vault.document.accounts).length;
    return passed(HEAD, `opens with the key in the keychain (${count} account${count === 1 ? '' : 's'})`);
  } catch (error) {
    return failedWith(HEAD, error);
  }
}
